package udppoll

import (
	"net"
	"strconv"
)

// zoneCache names an IPv6 scope (a link-local sender's interface) as the net package does: its
// name, or the number if it has none. Only a change of interface costs a lookup.
type zoneCache struct {
	id    uint32
	label string
}

func (z *zoneCache) name(id uint32) string {
	if id != z.id || z.label == "" {
		z.id, z.label = id, strconv.FormatUint(uint64(id), 10)
		if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
			z.label = ifi.Name
		}
	}
	return z.label
}
