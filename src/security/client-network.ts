import ipaddr from 'ipaddr.js';

/**
 * What a per-address cap counts: an IPv4 address (also when written IPv4-mapped, `::ffff:1.2.3.4`) or the /64 of
 * an IPv6 address, since one subscriber usually gets a whole /64 and could rotate through it freely. Anything that
 * is not an IP address is returned as it is.
 */
export function clientNetwork(ip: string | undefined): string | undefined {
    return ip && !ipaddr.isValid(ip) ? ip : addressPrefix(ip, 32, 64);
}

/**
 * What a per-network cap counts: the /24 of an IPv4 address or the /48 of an IPv6 address (a site's usual
 * allocation: one /58 or /56 holds dozens of /64s). Undefined for anything that is not an IP address.
 */
export function clientPrefix(ip: string | undefined): string | undefined {
    return addressPrefix(ip, 24, 48);
}

function addressPrefix(ip: string | undefined, ipv4Bits: 24 | 32, ipv6Bits: 48 | 64): string | undefined {
    if (!ip || !ipaddr.isValid(ip)) {
        return undefined;
    }
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4') {
        const octets = (address as ipaddr.IPv4).octets;
        return ipv4Bits === 32 ? octets.join('.') : `${octets.slice(0, 3).join('.')}.0/24`;
    }
    const parts = (address as ipaddr.IPv6).parts.slice(0, ipv6Bits / 16).map(part => part.toString(16));
    return `${parts.join(':')}::/${ipv6Bits}`;
}
