package harness

import (
	"context"
	"fmt"
)

// useToken makes later requests of the scenario carry a token for name, shaped by opts.
func (st *steps) useToken(ctx context.Context, name string, opts ...TokenOption) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	tok, err := st.target.Token(s.identity(name), opts...)
	if err != nil {
		return fmt.Errorf("expected the target to mint a token for %q, got %w", name, err)
	}
	s.auth = "Bearer " + tok
	return nil
}

func (st *steps) authenticatedAs(ctx context.Context, name string) error {
	return st.useToken(ctx, name)
}

func (st *steps) expiredToken(ctx context.Context, name string) error {
	return st.useToken(ctx, name, Expired())
}

func (st *steps) wrongKeyToken(ctx context.Context, name string) error {
	return st.useToken(ctx, name, WrongKey())
}

func (st *steps) algNoneToken(ctx context.Context, name string) error {
	return st.useToken(ctx, name, AlgNone())
}

func (st *steps) audienceToken(ctx context.Context, name, aud string) error {
	return st.useToken(ctx, name, Audience(aud))
}

func (st *steps) productionGateway(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	starter, ok := st.target.(GatewayStarter)
	if !ok {
		return fmt.Errorf("expected a target that can start gateways (in-process), got %s", st.target.Name())
	}
	base, stop, err := starter.StartGateway(ctx, SecureProductionEnv())
	if err != nil {
		return fmt.Errorf("expected a secure production gateway to start, got %w", err)
	}
	s.cleanups = append(s.cleanups, stop)
	s.base = base
	return nil
}
