# sipcast — the two commands a newcomer needs are `make run` and `make test`.
# Both install the Debian packages they need when they are missing (as root; otherwise they say
# which to install). Nothing else has to be set up by hand.

GO       ?= go
BIN      := bin/sipcast
# Build needs cgo, FFmpeg's libraries (AAC, VP8/H.264 transcoding) and libopus/libspeex (their
# decoders' loss concealment, which libavcodec does not expose); tests also need the real peers.
BUILD_PKGS := gcc pkg-config libavcodec-dev libavutil-dev libswresample-dev libopus-dev libspeex-dev
TEST_PKGS  := $(BUILD_PKGS) ffmpeg sip-tester tcpdump nginx libnginx-mod-rtmp libnginx-mod-stream kamailio kamailio-tls-modules baresip-core baresip-ffmpeg etcd-server chromium
# go test's own limit; the suite takes a few minutes on a 2-core machine.
TEST_TIMEOUT ?= 20m

export CGO_ENABLED := 1

.PHONY: run build test bench deps-build deps-test vet clean

run: build
	SIPCAST_PROFILE=$${SIPCAST_PROFILE:-dev} ./$(BIN)

build: deps-build
	$(GO) build -o $(BIN) ./cmd/sipcast

# -count=1: never a cached result. The end-to-end tests build and run the sipcast binary in a
# subprocess, which Go's test cache cannot see: a cached e2e "ok" may be of other product code.
test: deps-test
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

# make bench: a short load run (10 sipcast calls beside 10 ffmpeg relays, held 10 s; the table is
# printed and bin/bench-report.json written), then every micro-benchmark. Bigger runs:
#   make bench BENCH_FLAGS='-calls 300 -baseline 50 -hold 60s'
BENCH_FLAGS ?= -calls 10 -hold 10s
bench: build deps-test
	$(GO) build -o bin/sipcast-bench ./bench/cmd/sipcast-bench
	./bin/sipcast-bench -sipcast $(BIN) -json bin/bench-report.json $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./...

deps-build:
	@scripts/ensure-packages.sh $(BUILD_PKGS)

deps-test:
	@scripts/ensure-packages.sh $(TEST_PKGS)

clean:
	rm -rf bin
