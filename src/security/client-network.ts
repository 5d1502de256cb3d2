import ipaddr from 'ipaddr.js';

/**
 * What the per-IP cap counts: an IPv4 address (also when written IPv4-mapped, `::ffff:1.2.3.4`) or the /64 of an
 * IPv6 address, since one subscriber usually gets a whole /64 and could rotate through it freely.
 */
export function clientNetwork(ip: string | undefined): string | undefined {
    if (!ip) {
        return undefined;
    }
    if (!ipaddr.isValid(ip)) {
        return ip;
    }
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4') {
        return address.toString();
    }
    const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map(part => part.toString(16));
    return `${prefix.join(':')}::/64`;
}
