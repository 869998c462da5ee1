package tracker

import (
	"math/big"
	"math/rand/v2"
	"net/netip"
	"testing"
)

func TestAppendIPDecimal(t *testing.T) {
	tests := []struct {
		name string
		addr string
		want string
	}{
		{name: "loopback v4", addr: "127.0.0.1", want: "2130706433"},
		{name: "zero v4", addr: "0.0.0.0", want: "0"},
		{name: "max v4", addr: "255.255.255.255", want: "4294967295"},
		{name: "v4-mapped v6 counts as v4", addr: "::ffff:1.2.3.4", want: "16909060"},
		{name: "zero v6", addr: "::", want: "0"},
		{name: "loopback v6", addr: "::1", want: "1"},
		{name: "documentation v6", addr: "2001:db8::1", want: "42540766411282592856903984951653826561"},
		{name: "2^64", addr: "::1:0:0:0:0", want: "18446744073709551616"},
		{name: "2^112", addr: "1::", want: "5192296858534827628530496329220096"},
		{name: "max v6", addr: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", want: "340282366920938463463374607431768211455"},
		{name: "v4-compatible v6 stays v6", addr: "::1.2.3.4", want: "16909060"},
		{name: "zone ignored", addr: "fe80::1%eth0", want: "338288524927261089654018896841347694593"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := string(AppendIPDecimal([]byte("x="), netip.MustParseAddr(test.addr)))
			if got != "x="+test.want {
				t.Errorf("AppendIPDecimal(%s) = %q, want %q", test.addr, got, "x="+test.want)
			}
		})
	}
	if got := AppendIPDecimal(nil, netip.Addr{}); len(got) != 0 {
		t.Errorf("AppendIPDecimal(zero Addr) = %q, want nothing", got)
	}
}

// TestAppendIPDecimalMatchesBig checks random IPv6 addresses, biased towards
// runs of zero bytes that need zero-padded chunks, against math/big.
func TestAppendIPDecimalMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b [16]byte
		for i := range b {
			if r.IntN(3) > 0 {
				b[i] = byte(r.Uint32())
			}
		}
		a := netip.AddrFrom16(b)
		if a.Is4In6() {
			continue
		}
		want := new(big.Int).SetBytes(b[:]).String()
		if got := string(AppendIPDecimal(nil, a)); got != want {
			t.Fatalf("AppendIPDecimal(%s) = %s, want %s", a, got, want)
		}
	}
}

func TestAppendIPDecimalAllocatesNothing(t *testing.T) {
	buf := make([]byte, 0, 64)
	a := netip.MustParseAddr("2001:db8::1")
	if allocs := testing.AllocsPerRun(100, func() { buf = AppendIPDecimal(buf[:0], a) }); allocs != 0 {
		t.Errorf("AppendIPDecimal allocates %v times, want 0", allocs)
	}
}
