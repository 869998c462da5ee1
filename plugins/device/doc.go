// Package device holds kafkastore's device components: the device_detect
// processor, which classifies a user agent into device type, platform,
// device model and crawler name with the uap-core rules.
//
// The classification (Classify) is plain Go over a Parser, the uap-core
// matcher: uap-go's by default, the faster plugins/device/uamatch once it
// is swapped in (see newMatcher). Answers are cached per user agent in a
// sharded LRU cache shared by every pipeline thread.
package device
