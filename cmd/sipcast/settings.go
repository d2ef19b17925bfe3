package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Settings is what `sipcast admin` stores in the data directory and the running server reads:
// the REST user and its password hash (never the password), and the apps' URLs.
type Settings struct {
	User         string            `json:"user,omitempty"`
	PasswordHash string            `json:"passwordHash,omitempty"`
	Apps         map[string]string `json:"apps,omitempty"`
}

const (
	settingsFile = "settings.json"
	// settingsRecheck is how often the server looks at the settings file's metadata: a changed
	// password or app URL takes effect within it, and requests cost no file system call.
	settingsRecheck = 500 * time.Millisecond
)

// settingsStore serves the settings file to the running server, read again whenever it changed
// (another inode — `admin` writes a new file and renames it — or another size or time).
type settingsStore struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	mu      sync.Mutex
	cur     Settings
	stamp   fileStamp
	checked time.Time
}

type fileStamp struct {
	ino  uint64
	size int64
	mod  time.Time
}

func newSettingsStore(dataDir string, log *slog.Logger) *settingsStore {
	s := &settingsStore{path: filepath.Join(dataDir, settingsFile), log: log, now: time.Now}
	s.get()
	return s
}

// get returns the current settings, reloading the file when it changed.
func (s *settingsStore) get() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.checked.IsZero() && now.Sub(s.checked) < settingsRecheck {
		return s.cur
	}
	s.checked = now
	st, err := stampOf(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		if s.stamp != (fileStamp{}) {
			s.log.Info("settings file removed: defaults apply", "path", s.path)
		}
		s.cur, s.stamp = Settings{}, fileStamp{}
		return s.cur
	}
	if err != nil || st == s.stamp {
		return s.cur
	}
	loaded, err := loadSettings(s.path)
	if err != nil {
		// Keep what was in force: a half-edited file must not open the server or drop the apps.
		s.log.Error("settings file unreadable; keeping the previous settings", "path", s.path, "err", err)
		return s.cur
	}
	s.log.Info("settings file read", "path", s.path, "passwordSet", loaded.PasswordHash != "", "apps", len(loaded.Apps))
	s.cur, s.stamp = loaded, st
	return s.cur
}

// credentials is api.Credentials' source.
func (s *settingsStore) credentials() (user, hash string) {
	cur := s.get()
	return cur.User, cur.PasswordHash
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	st := fileStamp{size: fi.Size(), mod: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st, nil
}

func loadSettings(path string) (Settings, error) {
	var s Settings
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// saveSettings writes the file whole and renames it into place, so a reader never sees half of
// it; only its owner may read it (it holds the password hash).
func saveSettings(path string, s Settings) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".settings-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
