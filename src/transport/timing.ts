// Every timing and sizing constant of the transport, in one place, with its unit (STYLE.md §5).
// Handlers never call setTimeout themselves: they ask the transport for a request or a wait with
// one of these budgets.

/** First retransmit timeout of a request (SPEC §1.4: 500 ms, doubling up to 2 s). */
export const INITIAL_RETRY_TIMEOUT_MS = 500;
/** Ceiling of the doubling retransmit timeout. */
export const MAX_RETRY_TIMEOUT_MS = 2_000;
/**
 * Floor of the adaptive retransmit timeout of bulk requests (stores): a few loopback round trips
 * under load, so that a loss costs milliseconds while a slow hop is not flooded with copies.
 */
export const MIN_ADAPTIVE_TIMEOUT_MS = 40;
/** Retry budget of an ordinary request: after this long without an answer it fails. */
export const REQUEST_BUDGET_MS = 10_000;
/** Budget for waits that span a whole redistribution (rebuild-done, join-done). */
export const REBUILD_BUDGET_MS = 120_000;
/**
 * How long the manager waits for the dht-complete, dht-rebuilt or teardown-complete it awaits
 * before it gives up on that peer and tears the DHT down (SPEC §1.4 item 7). Longer than any wait
 * of a live peer's procedure, so that a slow but working rebuild is never cut short.
 */
export const DEFAULT_AWAIT_TIMEOUT_MS = 150_000;
/** How long a sent reply is remembered, so that a repeated request is answered, not re-executed. */
export const REPLY_CACHE_TTL_MS = 60_000;
/**
 * Notes about dropped input (malformed, unauthenticated, over a rate limit, forged): at most this
 * many per DROP_NOTE_WINDOW_MS, then one summary line with the counts, so that a flood of junk
 * cannot flood the output too.
 */
export const DROP_NOTE_BURST = 10;
export const DROP_NOTE_WINDOW_MS = 10_000;
/**
 * The manager's token bucket per source ip:port: datagrams per second, and the burst. A peer that
 * pipelines its queries (stormdht peer --pipeline) sends one query-dht per query, and one peer
 * runs them at well over 5,000 a second on loopback: the bucket leaves room for about four times
 * that, while a flooder still gets this much and no more.
 */
export const MANAGER_SOURCE_RATE_PER_S = 20_000;
export const MANAGER_SOURCE_BURST = 40_000;
/**
 * A peer's token bucket per source that is not a member of its ring (nor the manager): queriers,
 * a joiner, a leaver awaiting its rebuild; and, at a Free querier, the members that answer its
 * queries. Members are not limited: a distribution sends thousands of stores a second through
 * each of them. As the manager's: room for one pipelining querier's find-events, and no flood.
 */
export const PEER_STRANGER_RATE_PER_S = 20_000;
export const PEER_STRANGER_BURST = 40_000;
/** Sources a rate limiter tracks at most; the oldest is forgotten first (spoofed floods). */
export const RATE_LIMIT_MAX_SOURCES = 10_000;
/**
 * With a system secret (--secret): a datagram whose timestamp is further than this from the
 * receiver's clock is refused as a replay (or a clock set wrong). A replay inside the window is a
 * duplicate, which the protocol absorbs as it absorbs the network's own.
 */
export const REPLAY_WINDOW_MS = 30_000;
/** Plain "authentication failed" answers to a source without the secret: per second, and burst. */
export const AUTH_REFUSAL_RATE_PER_S = 1;
export const AUTH_REFUSAL_BURST = 3;
/** How long a forwarded teardown/reset-id is remembered, so only its first copy changes state. */
export const SEEN_TTL_MS = 120_000;
/** Unacknowledged store datagrams a distributor may have in flight (SPEC §1.4 item 5). */
export const STORE_WINDOW = 32;
/**
 * A pipelined request overtaken by this many later answers on the same path is resent at once
 * (fast retransmit), without waiting for its timer. Three, as in TCP, tolerates mild reordering.
 */
export const FAST_RETRANSMIT_OVERTAKES = 3;
/** Receive and send buffer every socket asks for (SPEC §1.4: 4 MiB). */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** Default byte budget of one batched store datagram: fits a 1500-byte MTU path (1472 B of UDP payload). */
export const DEFAULT_BATCH_BYTES = 1_400;

// The failure detector (issue 11; docs/protocol.md §10). Every registered peer sends the manager a
// heartbeat every HEARTBEAT_INTERVAL_MS. The manager suspects a peer it has not heard from for
// SUSPECT_AFTER_MS, and declares it dead after DEAD_AFTER_MS: 25 heartbeats in a row lost. At a
// loss of 0.3 per datagram that happens to a live peer with a probability of 0.3^25 ≈ 1e-13 per
// window; a SIGKILLed peer is declared dead 2.5–2.6 s after its last heartbeat.
/** A registered peer's heartbeat period. */
export const HEARTBEAT_INTERVAL_MS = 100;
/** Silence after which the manager suspects a peer: queries are routed around it. */
export const SUSPECT_AFTER_MS = 1_000;
/** Silence after which the manager declares a peer dead and evicts it. */
export const DEAD_AFTER_MS = 2_500;
/** How often the manager's detector looks at every peer's silence. */
export const DETECTOR_TICK_MS = 100;
/**
 * A detector tick this much later than due means the manager itself did not run (stopped, or its
 * machine starved it): the time it lost is not counted as anyone's silence (as memberlist's
 * Lifeguard extension scales its timeouts by the node's own health).
 */
export const DETECTOR_STALL_MS = 250;
/** How long the manager remembers an evicted peer, to tell it why when it wakes and calls in. */
export const EVICTED_MEMORY_MS = 600_000;
/**
 * A query's attempt through one first node: after this long without a find-result the querier asks
 * the manager for another member (the retransmissions in between go along other paths).
 */
export const QUERY_ATTEMPT_MS = 1_000;
/** How long a node remembers where it sent a query, so that a retransmitted copy takes another path. */
export const FORWARD_MEMORY_MS = 3_000;
/**
 * After a restart from its state directory (issue 13), the manager counts no peer's silence for
 * this long: its own absence is no one's fault, and a live peer's next heartbeat ends the grace.
 */
export const RESTART_GRACE_MS = 10_000;
/** How long a peer asks the manager whether it still knows it, before a `register` (issue 13). */
export const CONFIRM_BUDGET_MS = 2_000;
/**
 * A query's requests (query-dht to the manager, find-event round the ring) wait before a copy
 * goes again at least QUERY_RETRY_PER_PENDING_MS for each query the peer has in flight, up to
 * QUERY_MIN_RETRY_MS (issue 14). Their measured round trip is a fraction of a millisecond, so the
 * adaptive timeout sits at its 40 ms floor, and under a pipelined load, where answers queue behind
 * each other, copies only doubled the work and printed a second find-result. A query typed alone
 * keeps the 40 ms, which a lossy path needs. TCP's minimum on Linux is the same 200 ms.
 */
export const QUERY_MIN_RETRY_MS = 200;
export const QUERY_RETRY_PER_PENDING_MS = 10;
