package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/ultra-kit/ultra/gateway"
)

// The configuration steps call gateway.LoadConfig in this process: they check the code of this
// binary, which is why configuration.feature is @in-process-only.

func (st *steps) secureProductionEnv(ctx context.Context) error {
	return onState(ctx, func(s *scenario) error { s.env = SecureProductionEnv(); return nil })
}

func (st *steps) emptyEnv(ctx context.Context) error {
	return onState(ctx, func(s *scenario) error { s.env = map[string]string{}; return nil })
}

func (st *steps) setVariable(ctx context.Context, k, v string) error {
	return onState(ctx, func(s *scenario) error { s.env[k] = v; return nil })
}

func (st *steps) unsetVariable(ctx context.Context, k string) error {
	return onState(ctx, func(s *scenario) error { delete(s.env, k); return nil })
}

func (st *steps) loadConfig(ctx context.Context) error {
	return onState(ctx, func(s *scenario) error {
		if s.env == nil {
			return errors.New("step: no environment given (use \"a secure production environment\" or \"an empty environment\")")
		}
		s.cfg, s.cfgErr = gateway.LoadConfig(getenvFrom(s.env))
		s.loaded = true
		return nil
	})
}

func (st *steps) configRefused(ctx context.Context, names string) error {
	return onState(ctx, func(s *scenario) error {
		ce, err := configError(s)
		if err != nil {
			return err
		}
		all := strings.Join(ce.Problems, "\n")
		var missing []string
		for _, n := range list(names) {
			if !strings.Contains(all, n) {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("expected the problems to name %s, got:\n  %s", strings.Join(missing, ", "), strings.Join(ce.Problems, "\n  "))
		}
		return nil
	})
}

func (st *steps) configProblems(ctx context.Context, n int) error {
	return onState(ctx, func(s *scenario) error {
		ce, err := configError(s)
		if err != nil {
			return err
		}
		if len(ce.Problems) != n {
			return fmt.Errorf("expected %d problems, got %d:\n  %s", n, len(ce.Problems), strings.Join(ce.Problems, "\n  "))
		}
		return nil
	})
}

func (st *steps) configAccepted(ctx context.Context) error {
	return onState(ctx, func(s *scenario) error {
		if !s.loaded {
			return errors.New("step: the configuration was not loaded")
		}
		if s.cfgErr != nil {
			return fmt.Errorf("expected the configuration to be accepted, got %v", s.cfgErr)
		}
		return nil
	})
}

func (st *steps) configTestingMock(ctx context.Context, env string) error {
	return onState(ctx, func(s *scenario) error {
		if s.cfg.Environment != env || !s.cfg.UseMock {
			return fmt.Errorf("expected environment %s with mock mode on, got environment %q, mock mode %v", env, s.cfg.Environment, s.cfg.UseMock)
		}
		if s.cfg.JWTSecret == "" || !s.cfg.JWTSecretGenerated {
			return errors.New("expected a generated JWT secret, got none")
		}
		return nil
	})
}

func (st *steps) startConfiguredGateway(ctx context.Context) error {
	return onState(ctx, func(s *scenario) error {
		starter, ok := st.target.(GatewayStarter)
		if !ok {
			return fmt.Errorf("expected a target that can start gateways (in-process), got %s", st.target.Name())
		}
		base, stop, err := starter.StartGateway(ctx, maps.Clone(s.env))
		if err != nil {
			return fmt.Errorf("expected the gateway to start, got %w", err)
		}
		s.cleanups = append(s.cleanups, stop)
		s.base = base
		return nil
	})
}

// onState runs fn on the scenario's state.
func onState(ctx context.Context, fn func(*scenario) error) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	return fn(s)
}

func configError(s *scenario) (*gateway.ConfigError, error) {
	if !s.loaded {
		return nil, errors.New("step: the configuration was not loaded")
	}
	var ce *gateway.ConfigError
	if !errors.As(s.cfgErr, &ce) {
		return nil, fmt.Errorf("expected a *gateway.ConfigError, got %v", s.cfgErr)
	}
	return ce, nil
}
