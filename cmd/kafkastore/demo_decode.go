package main

import (
	"math/big"
	"net/netip"
	"net/url"
	"strings"
)

// decodeMessage splits a Kafka message `PATH META QUERY` into labelled
// fields for display: the path, each META key with its decoded value
// ("(unknown)" for a bare key), and the query.
func decodeMessage(msg string) [][2]string {
	parts := strings.SplitN(msg, " ", 3)
	if len(parts) != 3 {
		return [][2]string{{"(raw)", msg}}
	}
	out := [][2]string{{"path", parts[0]}}
	for _, kv := range strings.Split(parts[1], "&") {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
			v = "(unknown)"
		case v == "":
			v = `""`
		default:
			if dec, err := url.PathUnescape(v); err == nil {
				v = dec
			}
			if k == "ip" {
				v += " (" + decimalToIP(v) + ")"
			}
		}
		out = append(out, [2]string{k, v})
	}
	return append(out, [2]string{"query", parts[2]})
}

// decimalToIP turns the decimal integer of an address back into its text.
func decimalToIP(dec string) string {
	n, ok := new(big.Int).SetString(dec, 10)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return "?"
	}
	if n.BitLen() <= 32 {
		var b [4]byte
		n.FillBytes(b[:])
		return netip.AddrFrom4(b).String()
	}
	var b [16]byte
	n.FillBytes(b[:])
	return netip.AddrFrom16(b).String()
}
