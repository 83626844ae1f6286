package harness

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ultra-kit/ultra/internal/provider"
)

// dockerfile builds an image holding nothing but the static ultra binary: nothing is pulled.
const dockerfile = "FROM scratch\nCOPY ultra /ultra\nENTRYPOINT [\"/ultra\"]\n"

// ContainerOptions configure StartContainers. The zero value builds the binary from the module source
// around the working directory (or uses the running ultra binary when there is none).
type ContainerOptions struct {
	// Binary is a static linux ultra binary to put in the images; "" means build or reuse one.
	Binary string
	// SourceDir is the module root to build the binary from with CGO_ENABLED=0; "" means the module
	// of the working directory, if any.
	SourceDir string
	// Log receives progress lines and, on failure, the containers' logs; nil discards them.
	Log io.Writer
}

// Containers is the container target: `ultra mock` and `ultra gateway` in two containers built FROM
// scratch, on a private network where the gateway reaches the mock by the alias "mock".
type Containers struct {
	secret, testSecret string
	net                *testcontainers.DockerNetwork
	mock, gw           *testcontainers.DockerContainer
	mockURL, gwURL     string
	tmp                string
	log                io.Writer
}

// DockerAvailable returns nil when a Docker engine answers, and why not otherwise.
func DockerAvailable(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil { // testcontainers panics on some broken set-ups
			err = fmt.Errorf("docker: %v", r)
		}
	}()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Health(ctx); err != nil {
		return fmt.Errorf("docker engine not reachable: %w", err)
	}
	return nil
}

// DockerEnv returns the variables testcontainers must find in the process environment (it reads
// them from nowhere else) for StartContainers, given the current environment through getenv:
// TESTCONTAINERS_RYUK_DISABLED=true, because the reaper container would have to be pulled and nothing
// may be; and, when dockerd runs in this very machine (or container) and neither DOCKER_HOST nor an
// override is set, TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: inside a container testcontainers would
// otherwise use the default route's gateway, where the published ports of a local daemon are not.
// Variables already set are left out. The caller (main, or a test with t.Setenv) sets them; the
// harness never changes the process environment.
func DockerEnv(getenv func(string) string) map[string]string {
	out := map[string]string{}
	if getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		out["TESTCONTAINERS_RYUK_DISABLED"] = "true"
	}
	if getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && getenv("DOCKER_HOST") == "" && localDockerd() {
		out["TESTCONTAINERS_HOST_OVERRIDE"] = "127.0.0.1"
	}
	return out
}

// reaperDisabled returns an error unless testcontainers sees its reaper disabled.
func reaperDisabled() error {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	defer p.Close()
	if !p.Config().RyukDisabled {
		return errors.New("testcontainers would pull its reaper image, and nothing may be pulled: set TESTCONTAINERS_RYUK_DISABLED=true in the environment (harness.DockerEnv lists what to set)")
	}
	return nil
}

// localDockerd reports whether a dockerd process runs in this process namespace.
func localDockerd() bool {
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		if b, err := os.ReadFile(c); err == nil && strings.TrimSpace(string(b)) == "dockerd" {
			return true
		}
	}
	return false
}

// StartContainers builds the images, starts the network and both containers, and waits until the
// mock's /__admin/health and the gateway's /api/health/live answer. Everything started is removed
// again on error and by Close. Errors are target errors; one is returned at once when the process
// environment lacks what DockerEnv lists.
func StartContainers(ctx context.Context, opts ContainerOptions) (_ *Containers, err error) {
	if err := reaperDisabled(); err != nil {
		return nil, TargetError("containers: %w", err)
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	c := &Containers{secret: RandomSecret(24), testSecret: "qa-" + RandomSecret(8), log: opts.Log}
	defer func() {
		if err != nil {
			c.dumpLogs(context.WithoutCancel(ctx))
			_ = c.Close()
			err = TargetError("containers: %w", err)
		}
	}()
	if c.tmp, err = os.MkdirTemp("", "ultra-image-"); err != nil {
		return nil, err
	}
	bin := filepath.Join(c.tmp, "ultra")
	if err := c.binary(ctx, opts, bin); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(c.tmp, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return nil, err
	}
	tag := RandomSecret(4)
	image := func(role string) testcontainers.FromDockerfile {
		return testcontainers.FromDockerfile{Context: c.tmp, Dockerfile: "Dockerfile", Repo: "ultra-harness-" + role, Tag: tag,
			BuildLogWriter: io.Discard}
	}

	fmt.Fprintln(c.log, "containers: creating the network")
	if c.net, err = network.New(ctx); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	fmt.Fprintln(c.log, "containers: building and starting the mock server")
	mockCmd := []string{"mock", "--addr", "0.0.0.0:8086"}
	for _, name := range provider.Names() {
		mockCmd = append(mockCmd, "--provider-key", name+"="+ProviderKey(name))
	}
	c.mock, err = testcontainers.Run(ctx, "",
		testcontainers.WithDockerfile(image("mock")),
		testcontainers.WithCmd(mockCmd...),
		testcontainers.WithExposedPorts("8086/tcp"),
		network.WithNetwork([]string{"mock"}, c.net),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/__admin/health").WithPort("8086/tcp").WithStartupTimeout(60*time.Second)),
	)
	if err != nil {
		return nil, fmt.Errorf("mock container: %w", err)
	}
	env := TestingEnv(c.secret, c.testSecret, "http://mock:8086")
	env["ULTRA_ADDR"] = "0.0.0.0:8000"
	fmt.Fprintln(c.log, "containers: building and starting the gateway")
	c.gw, err = testcontainers.Run(ctx, "",
		testcontainers.WithDockerfile(image("gateway")),
		testcontainers.WithCmd("gateway"),
		testcontainers.WithEnv(env),
		testcontainers.WithExposedPorts("8000/tcp"),
		network.WithNetwork([]string{"gateway"}, c.net),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/api/health/live").WithPort("8000/tcp").WithStartupTimeout(60*time.Second)),
	)
	if err != nil {
		return nil, fmt.Errorf("gateway container: %w", err)
	}
	if c.mockURL, err = c.mock.PortEndpoint(ctx, "8086/tcp", "http"); err != nil {
		return nil, fmt.Errorf("mock endpoint: %w", err)
	}
	if c.gwURL, err = c.gw.PortEndpoint(ctx, "8000/tcp", "http"); err != nil {
		return nil, fmt.Errorf("gateway endpoint: %w", err)
	}
	fmt.Fprintf(c.log, "containers: gateway at %s, mock at %s\n", c.gwURL, c.mockURL)
	return c, nil
}

// binary puts a static ultra binary at dst.
func (c *Containers) binary(ctx context.Context, opts ContainerOptions, dst string) error {
	if opts.Binary != "" {
		return copyStatic(opts.Binary, dst)
	}
	dir := opts.SourceDir
	if dir == "" {
		if out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output(); err == nil {
			if mod := strings.TrimSpace(string(out)); mod != "" && mod != os.DevNull {
				dir = filepath.Dir(mod)
			}
		}
	}
	if dir == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("no module source to build ultra from and no executable: %w", err)
		}
		return copyStatic(self, dst)
	}
	fmt.Fprintf(c.log, "containers: building ultra with CGO_ENABLED=0 in %s\n", dir)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", dst, "./cmd/ultra")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/ultra: %w\n%s", err, out)
	}
	return nil
}

// copyStatic copies a binary after checking it is a statically linked ELF (it runs FROM scratch).
func copyStatic(src, dst string) error {
	f, err := elf.Open(src)
	if err != nil {
		return fmt.Errorf("%s is not a linux binary: %w", src, err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			f.Close()
			return fmt.Errorf("%s is dynamically linked; build it with CGO_ENABLED=0 (make build)", src)
		}
	}
	f.Close()
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

func (c *Containers) dumpLogs(ctx context.Context) {
	for name, ctr := range map[string]*testcontainers.DockerContainer{"mock": c.mock, "gateway": c.gw} {
		if ctr == nil {
			continue
		}
		rc, err := ctr.Logs(ctx)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(rc, 16<<10))
		rc.Close()
		fmt.Fprintf(c.log, "--- %s container log ---\n%s\n", name, b)
	}
}

// Name is "container".
func (c *Containers) Name() string { return "container" }

// BaseURL is the gateway container's published endpoint.
func (c *Containers) BaseURL() string { return c.gwURL }

// AdminURL is the mock container's published endpoint.
func (c *Containers) AdminURL() string { return c.mockURL }

// Token mints tokens with the gateway container's secret and audience.
func (c *Containers) Token(sub string, opts ...TokenOption) (string, error) {
	return Minter{Secret: c.secret, Audience: TestAudience}.Token(sub, opts...)
}

// Capabilities: everything but starting extra gateways and real providers.
func (c *Containers) Capabilities() Capabilities {
	return Capabilities{MintTokens: true, Audience: true, TestModeSecret: c.testSecret, Container: true,
		ProviderKeys: AllProviderKeys()}
}

// Close removes the containers (and their images), the network and the build context.
func (c *Containers) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var errs []error
	for _, ctr := range []*testcontainers.DockerContainer{c.gw, c.mock} {
		if ctr != nil {
			errs = append(errs, testcontainers.TerminateContainer(ctr, testcontainers.StopContext(ctx)))
		}
	}
	c.gw, c.mock = nil, nil
	if c.net != nil {
		errs = append(errs, c.net.Remove(ctx))
		c.net = nil
	}
	if c.tmp != "" {
		errs = append(errs, os.RemoveAll(c.tmp))
		c.tmp = ""
	}
	return errors.Join(errs...)
}
