package rtmpserver

import (
	"io"
	"net"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/amf0"
	"github.com/bluenviron/gortmplib/pkg/message"
)

// Status codes of refusals, as nginx-rtmp and Adobe's servers send them;
// clients (gortmplib's among them) report the code in their error.
const (
	codePublishBadName  = "NetStream.Publish.BadName"
	codePlayNotFound    = "NetStream.Play.StreamNotFound"
	statusChunkStreamID = 5         // the chunk stream gortmplib answers play/publish on
	statusMessageStream = 0x1000000 // message stream 1, as gortmplib encodes it
)

// rejectLinger bounds how long a refused client is given to read the refusal
// and close its side.
const rejectLinger = time.Second

// reject sends an error onStatus for the pending play/publish command, then
// half-closes and drains the connection: closing it with unread input would
// send a RST, which can destroy the refusal before the client reads it.
// (ServerConn.RejectAction would say "authentication failed" whatever the
// reason.) CommandID 0 is what servers use for onStatus and what clients accept.
func reject(conn net.Conn, sc *gortmplib.ServerConn, code, description string) error {
	_ = conn.SetDeadline(time.Now().Add(rejectLinger))
	err := sc.Write(&message.CommandAMF0{
		ChunkStreamID:   statusChunkStreamID,
		MessageStreamID: statusMessageStream,
		Name:            "onStatus",
		CommandID:       0,
		Arguments: []any{
			nil,
			amf0.Object{
				{Key: "level", Value: "error"},
				{Key: "code", Value: code},
				{Key: "description", Value: description},
			},
		},
	})
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, conn)
	return err
}
