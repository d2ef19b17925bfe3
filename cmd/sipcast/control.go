package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/sipcast/sipcast/actors/notify"
)

// validateControl checks the control-plane settings: REST, HTTPS, notifications.
func (c Config) validateControl() []error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, fmt.Errorf("tls_cert and tls_key go together"))
	}
	if c.Profile == "production" && c.HTTPSPort != 0 && c.HTTPSPort == c.RESTPort {
		errs = append(errs, fmt.Errorf("https_port %d is also rest_port", c.HTTPSPort))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("body_limit %d: want at least 1024 bytes", c.BodyLimit))
	}
	if c.DataDir == "" {
		errs = append(errs, fmt.Errorf("data_dir is empty"))
	}
	if c.NotifyQueue < 1 || c.NotifyRetries < 0 || c.NotifyTimeout <= 0 || c.DrainTimeout <= 0 {
		errs = append(errs, fmt.Errorf("notify_queue ≥ 1, notify_retries ≥ 0, notify_timeout and drain_timeout > 0"))
	}
	if err := checkAppURL(c.CallAppURL); err != nil {
		errs = append(errs, fmt.Errorf("callapp_url: %w", err))
	}
	for k, u := range c.Apps {
		if err := checkAppURL(u); err != nil {
			errs = append(errs, fmt.Errorf("apps.%s: %w", k, err))
		}
	}
	return errs
}

// checkAppURL accepts an absolute http(s) URL, or "" (and "off") for none.
func checkAppURL(raw string) error {
	if raw == "" || raw == "off" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want http://host[:port]/path or https://…", raw)
	}
	return nil
}

// appURL resolves an appKey to the URL its notifications go to. The settings file (written by
// `sipcast admin set-app`, read live) comes first, then the YAML apps, then callapp_url — for
// defaultApp and for any app not configured, so a client naming its own appKey still gets its
// notifications at the default address. "" or "off" sends nothing.
func (c Config) appURL(stored map[string]string, appKey string) string {
	u, ok := stored[appKey]
	if !ok {
		u, ok = c.Apps[appKey]
	}
	if !ok {
		u = c.CallAppURL
	}
	if strings.TrimSpace(u) == "off" {
		return ""
	}
	return strings.TrimSpace(u)
}

// defaultAppKey names the app of a call that names none.
const defaultAppKey = notify.DefaultAppKey
