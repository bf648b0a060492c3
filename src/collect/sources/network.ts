import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Network timing sources. Nothing leaves the machine unless the user names a target: tcp_connect_timing
 * connects to its own 127.0.0.1 listener unless OE_TCP_TARGET is set; dns_timing is unavailable unless
 * OE_DNS_RESOLVER names a resolver that answers. Durations in cycle-counter ticks; raw byte = low 8 bits.
 */
export const networkSources: SourceSpec[] = [
  {
    name: 'tcp_connect_timing',
    category: 'network',
    kind: 'physical',
    description:
      'Ticks of socket() + connect() to a 127.0.0.1 listener it opens itself (OE_TCP_TARGET=ip:port for a remote)',
    physics:
      'By default the three-way handshake runs through the loopback device inside the kernel: socket allocation, ' +
      'the SYN/SYN-ACK/ACK path in softirq context, the listener’s accept queue and socket locks. There is no ' +
      'physical link, so this is kernel-path and scheduler timing (and in a VM host scheduling). Both ends close ' +
      'with SO_LINGER {1, 0} so no TIME_WAIT sockets pile up. Only when the user sets OE_TCP_TARGET to an IP:port ' +
      '(openentropy connected to public resolvers on port 53 unasked) does it time a remote handshake, a network ' +
      'round trip that anyone on the path can observe.',
    requirements: ['TCP/IP loopback', 'OE_TCP_TARGET=<ip>:<port> only for a remote target'],
    fast: true,
    sampler: 'tcp_connect_timing',
    params: { timeoutMs: 2000 },
    batchSize: 512,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'dns_timing',
    category: 'network',
    kind: 'physical',
    description: 'Ticks from sending a UDP DNS query to its reply, only to a resolver named in OE_DNS_RESOLVER',
    physics:
      'One standard recursive query (type A for OE_DNS_NAME, default example.com) per sample to the resolver the ' +
      'user named; the time is the network round trip plus the resolver’s work (usually a cache hit). Network ' +
      'delays are visible to anyone on the path and a local stub resolver answers from its cache, so this is a ' +
      'weak, observable source. openentropy queried public resolvers unasked; oe sends nothing off-host unless ' +
      'told to, and is unavailable when no resolver is named or it does not answer within 2 s.',
    requirements: ['OE_DNS_RESOLVER=<ip>[:port] naming a resolver that answers'],
    fast: false,
    sampler: 'dns_timing',
    params: { timeoutMs: 1000 },
    batchSize: 16,
    credit: 0.5,
    extract: lowByte,
  },
];
