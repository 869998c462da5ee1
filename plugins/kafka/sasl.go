package kafka

import (
	"context"
	"fmt"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// SASL fields: kafka_franz takes a list of mechanisms, kafka (sarama style)
// a single object with `user` instead of `username`.
const (
	ksFieldMechanism   = "mechanism"
	ksFieldUsername    = "username"
	ksFieldUser        = "user"
	ksFieldPassword    = "password"
	ksFieldToken       = "token"
	ksFieldAccessToken = "access_token"
	ksFieldExtensions  = "extensions"
	ksFieldTokenCache  = "token_cache"
	ksFieldTokenKey    = "token_key"
)

var saslMechanisms = map[string]string{
	"none":          "Disable SASL authentication.",
	"PLAIN":         "Plain text authentication; pair it with TLS.",
	"OAUTHBEARER":   "OAuth Bearer authentication with a static token.",
	"SCRAM-SHA-256": "SCRAM authentication as specified in RFC 5802.",
	"SCRAM-SHA-512": "SCRAM authentication as specified in RFC 5802.",
}

func franzSASLField() *service.ConfigField {
	return service.NewObjectListField(kcFieldSASL,
		service.NewStringAnnotatedEnumField(ksFieldMechanism, saslMechanisms).
			Description("The SASL mechanism to use."),
		service.NewStringField(ksFieldUsername).
			Description("A username for PLAIN or SCRAM-* authentication.").Default(""),
		service.NewStringField(ksFieldPassword).
			Description("A password for PLAIN or SCRAM-* authentication.").Default("").Secret(),
		service.NewStringField(ksFieldToken).
			Description("The token for OAUTHBEARER authentication.").Default("").Secret(),
		service.NewStringMapField(ksFieldExtensions).
			Description("Key/value pairs to add to OAUTHBEARER authentication requests.").Optional(),
	).
		Description("Specify one or more methods of SASL authentication, tried in order: the first mechanism the broker supports is used.").
		Advanced().Optional().
		Example([]any{map[string]any{ksFieldMechanism: "SCRAM-SHA-512", ksFieldUsername: "foo", ksFieldPassword: "bar"}})
}

func saramaSASLField() *service.ConfigField {
	return service.NewObjectField(kcFieldSASL,
		service.NewStringAnnotatedEnumField(ksFieldMechanism, saslMechanisms).
			Description("The SASL authentication mechanism; `none` disables SASL.").Default("none"),
		service.NewStringField(ksFieldUser).
			Description("A PLAIN or SCRAM-* username. Populate it from an environment variable.").
			Example("${USER}").Default(""),
		service.NewStringField(ksFieldPassword).
			Description("A PLAIN or SCRAM-* password. Populate it from an environment variable.").
			Example("${PASSWORD}").Default("").Secret(),
		service.NewStringField(ksFieldAccessToken).
			Description("A static OAUTHBEARER access token.").Default("").Secret(),
		service.NewStringField(ksFieldTokenCache).
			Description("Accepted for compatibility and not supported: a non-empty value is a config error.").Default(""),
		service.NewStringField(ksFieldTokenKey).
			Description("Accepted for compatibility and ignored.").Default(""),
	).Description("Enables SASL authentication.").Optional().Advanced()
}

func franzSASLFromParsed(conf *service.ParsedConfig) ([]sasl.Mechanism, error) {
	if !conf.Contains(kcFieldSASL) {
		return nil, nil
	}
	list, err := conf.FieldObjectList(kcFieldSASL)
	if err != nil {
		return nil, err
	}
	var mechs []sasl.Mechanism
	for i, mc := range list {
		m, err := saslMechanismFromParsed(mc, ksFieldUsername, ksFieldToken)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", kcFieldSASL, i, err)
		}
		if m != nil {
			mechs = append(mechs, m)
		}
	}
	return mechs, nil
}

func saramaSASLFromParsed(conf *service.ParsedConfig) ([]sasl.Mechanism, error) {
	if !conf.Contains(kcFieldSASL) {
		return nil, nil
	}
	sc := conf.Namespace(kcFieldSASL)
	if cache, _ := sc.FieldString(ksFieldTokenCache); cache != "" {
		return nil, fmt.Errorf("%s.%s is not supported: use %s", kcFieldSASL, ksFieldTokenCache, ksFieldAccessToken)
	}
	m, err := saslMechanismFromParsed(sc, ksFieldUser, ksFieldAccessToken)
	if err != nil || m == nil {
		return nil, wrapField(kcFieldSASL, err)
	}
	return []sasl.Mechanism{m}, nil
}

// saslMechanismFromParsed builds one mechanism; nil for "none".
func saslMechanismFromParsed(conf *service.ParsedConfig, userField, tokenField string) (sasl.Mechanism, error) {
	mech, err := conf.FieldString(ksFieldMechanism)
	if err != nil {
		return nil, err
	}
	if mech == "" || mech == "none" {
		return nil, nil
	}
	user, err := conf.FieldString(userField)
	if err != nil {
		return nil, err
	}
	pass, err := conf.FieldString(ksFieldPassword)
	if err != nil {
		return nil, err
	}
	switch mech {
	case "PLAIN":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	case "OAUTHBEARER":
		token, err := conf.FieldString(tokenField)
		if err != nil {
			return nil, err
		}
		var ext map[string]string
		if conf.Contains(ksFieldExtensions) {
			if ext, err = conf.FieldStringMap(ksFieldExtensions); err != nil {
				return nil, err
			}
		}
		return oauth.Oauth(func(context.Context) (oauth.Auth, error) {
			return oauth.Auth{Token: token, Extensions: ext}, nil
		}), nil
	}
	return nil, fmt.Errorf("unknown SASL mechanism %q: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or none", mech)
}

func wrapField(field string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", field, err)
}
