package harness

import (
	"context"
	"fmt"

	"github.com/cucumber/godog"
)

func (st *steps) registerAuth(sc *godog.ScenarioContext) {
	useToken := func(ctx context.Context, name string, opts ...TokenOption) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		tok, err := st.target.Token(s.identity(name), opts...)
		if err != nil {
			return ctx, fmt.Errorf("expected the target to mint a token for %q, got %w", name, err)
		}
		s.auth = "Bearer " + tok
		return ctx, nil
	}
	sc.Step(`^I am authenticated as "([^"]*)"$`, func(ctx context.Context, name string) (context.Context, error) {
		return useToken(ctx, name)
	})
	sc.Step(`^I use an expired token for "([^"]*)"$`, func(ctx context.Context, name string) (context.Context, error) {
		return useToken(ctx, name, Expired())
	})
	sc.Step(`^I use a token for "([^"]*)" signed with the wrong key$`, func(ctx context.Context, name string) (context.Context, error) {
		return useToken(ctx, name, WrongKey())
	})
	sc.Step(`^I use an unsigned "alg: none" token for "([^"]*)"$`, func(ctx context.Context, name string) (context.Context, error) {
		return useToken(ctx, name, AlgNone())
	})
	sc.Step(`^I use a token for "([^"]*)" with the audience "([^"]*)"$`, func(ctx context.Context, name, aud string) (context.Context, error) {
		return useToken(ctx, name, Audience(aud))
	})
	sc.Step(`^a production gateway is running$`, func(ctx context.Context) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		starter, ok := st.target.(GatewayStarter)
		if !ok {
			return ctx, fmt.Errorf("expected a target that can start gateways (in-process), got %s", st.target.Name())
		}
		base, stop, err := starter.StartGateway(ctx, SecureProductionEnv())
		if err != nil {
			return ctx, fmt.Errorf("expected a secure production gateway to start, got %w", err)
		}
		s.cleanups = append(s.cleanups, stop)
		s.base = base
		return ctx, nil
	})
}
