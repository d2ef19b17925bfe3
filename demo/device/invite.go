package device

import (
	"errors"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// reasons are the phrases of the responses the device sends.
var reasons = map[int]string{
	100: "Trying", 180: "Ringing", 200: "OK",
	400: "Bad Request", 404: "Not Found", 480: "Temporarily Unavailable",
	481: "Call/Transaction Does Not Exist", 486: "Busy Here", 487: "Request Terminated",
	488: "Not Acceptable Here", 500: "Server Internal Error", 503: "Service Unavailable",
	600: "Busy Everywhere", 603: "Decline",
}

func reason(code int) string {
	if r, ok := reasons[code]; ok {
		return r
	}
	return "Device Answer"
}

// respond answers a request outside any dialog.
func respond(req *sip.Request, tx sip.ServerTransaction, code int) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason(code), nil))
}

// onInvite runs on sipgo's goroutine for the request: 100, then 180 and the
// configured wait, then the final response; a 200 waits for the ACK (sipgo's
// RespondSDP does), after which the call runs on its own goroutine.
func (d *Device) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if !d.enter() {
		respond(req, tx, 503)
		return
	}
	defer d.work.Done()
	if to := req.To(); to != nil && to.Params.Has("tag") {
		d.onReInvite(req, tx)
		return
	}
	if d.cfg.User != "" && req.Recipient.User != d.cfg.User {
		respond(req, tx, 404)
		return
	}
	log := d.log.With("call_id", callID(req))
	dlg, err := d.dialogs.ReadInvite(req, tx)
	if err != nil {
		log.Warn("device: unreadable INVITE", "err", err)
		respond(req, tx, 400)
		return
	}
	answered := false
	defer func() {
		if !answered {
			_ = dlg.Close()
		}
	}()
	_ = dlg.Respond(100, reason(100), nil)

	var lines []answerLine
	if d.cfg.answers() {
		if lines, err = negotiate(req.Body()); err != nil {
			log.Debug("device: offer refused", "err", err)
			_ = dlg.Respond(488, reason(488), nil)
			return
		}
	}
	if d.cfg.answers() || d.cfg.RingFor > 0 {
		_ = dlg.Respond(180, reason(180), nil)
	}
	if !d.ring(dlg) {
		return
	}
	if !d.cfg.answers() {
		_ = dlg.Respond(d.cfg.AnswerCode, reason(d.cfg.AnswerCode), nil)
		return
	}
	c, err := d.newCall(dlg, lines, log)
	if err != nil {
		log.Warn("device: media setup failed", "err", err)
		_ = dlg.Respond(500, reason(500), nil)
		return
	}
	if err := dlg.RespondSDP(c.answer); err != nil {
		log.Debug("device: answer not acknowledged", "err", err)
		c.closeMedia()
		return
	}
	answered = true
	d.startCall(c)
}

// ring waits RingFor; false if the caller cancelled meanwhile (sipgo has
// answered the CANCEL and sent 487) or the device is stopping (480 sent).
func (d *Device) ring(dlg *sipgo.DialogServerSession) bool {
	if d.cfg.RingFor <= 0 {
		return true
	}
	t := time.NewTimer(d.cfg.RingFor)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-dlg.Context().Done():
		return false
	case <-d.ctx.Done():
		_ = dlg.Respond(480, reason(480), nil)
		return false
	}
}

// startCall registers c and runs it. The INVITE handler calling it holds a
// work slot, so adding one here cannot race with Close's Wait.
func (d *Device) startCall(c *call) {
	d.mu.Lock()
	d.calls[c.dlg.ID] = c
	d.mu.Unlock()
	c.log.Debug("device: call answered", "outputs", len(c.outs))
	d.work.Go(func() {
		defer func() {
			d.mu.Lock()
			delete(d.calls, c.dlg.ID)
			d.mu.Unlock()
		}()
		c.run(d.ctx, d.cfg.HangupAfter)
	})
}

// onReInvite answers a re-INVITE (a session refresh) with the same answer;
// the media does not change.
func (d *Device) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	id, err := sip.DialogIDFromRequestUAS(req)
	d.mu.Lock()
	c := d.calls[id]
	d.mu.Unlock()
	if err != nil || c == nil {
		respond(req, tx, 481)
		return
	}
	res := sip.NewSDPResponseFromRequest(req, c.answer)
	if h := c.dlg.InviteResponse.Contact(); h != nil {
		res.AppendHeader(sip.HeaderClone(h))
	}
	_ = tx.Respond(res)
}

// onAck confirms the dialog, which releases RespondSDP.
func (d *Device) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if err := d.dialogs.ReadAck(req, tx); err != nil {
		d.log.Debug("device: ACK outside a dialog", "call_id", callID(req), "err", err)
	}
}

// onBye ends a call: sipgo answers 200 and cancels the dialog's context,
// which stops the call's loop. Without a dialog, 481 (sipgo sends nothing).
func (d *Device) onBye(req *sip.Request, tx sip.ServerTransaction) {
	err := d.dialogs.ReadBye(req, tx)
	switch {
	case errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog):
		respond(req, tx, 481)
		return
	case errors.Is(err, sipgo.ErrDialogInvalidCseq): // refused before any response
		respond(req, tx, 400)
		return
	}
	if err != nil {
		d.log.Debug("device: BYE", "call_id", callID(req), "err", err)
	}
}

// onOptions answers keep-alive pings.
func (d *Device) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	respond(req, tx, 200)
}

func callID(req *sip.Request) string {
	if h := req.CallID(); h != nil {
		return h.Value()
	}
	return ""
}
