// Usage texts of every program, and the error a bad invocation exits with.

const SECRET_HELP = `  --secret S           authenticate every datagram with the system secret S (default: $STORMDHT_SECRET);
                       every process of the system must have the same one`;

const FAULTS_HELP = `  --faults SPEC        inject faults into every datagram sent (default: $STORMDHT_FAULTS), e.g.
                       loss=0.3,dup=0.1,reorder=0.2,delay=0-20,seed=7 (probabilities; delay in ms)`;

export const MAIN_USAGE = `stormdht — a distributed hash table over UDP for the NOAA Storm Events data

usage:
  stormdht manager <port> [--host HOST] [--json] [--state-dir DIR] [--replicas R] [--await-timeout S]
                   [--seed S] [--http PORT [--http-host HOST]] [--faults SPEC] [--secret S]
  stormdht peer <manager-ip> <manager-port> [--data-dir DIR] [--port-range LO-HI] [--json | --quiet]
                [--batch-bytes N] [--routing hot-potato|direct] [--placement ring|direct]
                [--store-encoding deflate|json] [--pipeline N] [--faults SPEC] [--secret S]
  stormdht cluster [--peers N] [--names a,b,c] [--data-dir DIR] [--port-range LO-HI] [--replicas R]
                   [--seed S] [--script FILE] [--quiet | --json]
  stormdht demo [--data-dir DIR] [--synthetic] [--port-range LO-HI] [--replicas R] [--secret S]
  stormdht sim [--seeds N] [--seed S] [--steps K] [--verbose] [--trace] [--secret S]
  stormdht data list | inspect <year> | generate <year> | import <file> | fetch <year> [--data-dir DIR]
  stormdht help [<command>] | --help | version | --version | -V

Run "stormdht help <command>" (or "stormdht <command> --help") for the details of one command.
An error is one line; with $STORMDHT_DEBUG set, an unexpected one also prints its stack.`;

/** The most copies --replicas takes (a ring of fewer nodes keeps one on each). */
export const MAX_REPLICAS = 9;
/** The largest --seed: seeds are 32-bit (mulberry32). */
export const MAX_SEED = 0xffffffff;

export const MANAGER_USAGE = `usage: stormdht manager <port> [--host HOST] [--json] [--state-dir DIR] [--replicas R] [--await-timeout S]
                        [--seed S] [--http PORT [--http-host HOST]] [--faults SPEC] [--secret S]

Runs the manager: the registry of peers and the state of the single DHT. Binds UDP <port> on HOST
(default 0.0.0.0); port 0 picks any free port. The first line printed gives the address and port.
Runs until SIGINT or SIGTERM, then exits 0. Its failure detector suspects a peer whose heartbeats
stop for 1 s and evicts it at 2.5 s; a DHT that lost a member is rebuilt by its first survivor.

  --host HOST          address to bind (default 0.0.0.0): an IPv4 address, or a host name such as
                       localhost, resolved once at start to its IPv4 address
  --json               print one JSON object per line instead of the human trace
  --state-dir DIR      keep the registry, the DHT, its keys and the replies already sent in DIR
                       (created, mode 0700), each change on disk before it is announced; started
                       again with the same DIR after a crash, the manager carries on where it was.
                       Without it the state is in memory only: after a restart every peer learns
                       that the manager forgot it, drops its ring state, and must register again
  --replicas R         keep R copies of every record (1 to ${MAX_REPLICAS}; default 1, SPEC's DHT): a
                       record lives on its owner and the R - 1 nodes after it, queries are answered
                       from a copy while the owner is dead, and a ring that lost a member is rebuilt
                       from its own copies, with no file. Use 2 or more for real use.
  --await-timeout S    give up on a peer the manager waits for (dht-complete, dht-rebuilt,
                       teardown-complete, dht-repaired) after S seconds and tear the DHT down
                       (default 150; the failure detector ends the wait sooner when that peer dies)
  --seed S             make the manager's picks repeatable (0 to ${MAX_SEED}): the same commands in
                       the same order get the same ring and the same first node for each query
                       (keys, request ids and timing stay random)
  --http PORT          serve the live view on HTTP PORT (0: any free port; the line after the first
                       gives its address): a page that draws the ring, the records per member, the
                       Free peers, each peer's traffic and the event log as they change; GET /state
                       gives the view as JSON and GET /events the same as server-sent events.
                       Read-only
  --http-host HOST     address the live view binds (default 127.0.0.1: this machine only): an IPv4
                       address, or a host name resolved once at start; 0.0.0.0 lets any machine watch
${FAULTS_HELP}
${SECRET_HELP}`;

export const PEER_USAGE = `usage: stormdht peer <manager-ip> <manager-port> [--data-dir DIR] [--port-range LO-HI] [--json | --quiet]
                     [--batch-bytes N] [--routing hot-potato|direct] [--placement ring|direct]
                     [--store-encoding deflate|json] [--pipeline N] [--faults SPEC] [--secret S]

Runs a peer of the manager at <manager-ip>:<manager-port>. <manager-ip> may be a host name, such
as localhost, and so may register's <IPv4>: each is resolved once, to the IPv4 address used from
then on. It reads commands from stdin, one per line:
  register <name> [<IPv4> <m-port> <p-port>]   register (no address: pick one and two free ports)
  setup-dht <name> <n> <YYYY>                   build a DHT of n peers from details-YYYY.csv
  query-dht <name> [<event-id>]                 look an event up (no id: a random one of the year)
  leave-dht <name>                              leave the DHT; it is rebuilt without this peer
  join-dht <name>                               join the DHT; it is rebuilt with this peer
  teardown-dht <name>                           (leader) dissolve the DHT
  dht-complete <name>                           (leader) confirm the DHT is complete
  deregister <name>                             leave the system; the peer exits
  members <name>                                every registered peer and the DHT's ring, from the manager
  status                                        this peer's name, state, id, ring size, records
  help [<command>]                              the commands, or what one does
  quit | exit                                   stop without deregistering, as Ctrl-C does
On a terminal the peer shows a prompt (stormdht peer>, then <name>>), and asks for an event id
when a query without one has no copy of the year; at Ctrl-D it says whether it exits or keeps
serving. Reading a script (stdin not a terminal, without --json) it never asks: such a query
fails, and the peer exits 1 if any command failed. --json is unchanged: no prompt, D1 asks through
a prompt event, exit status 0.
A registered peer sends the manager a heartbeat every 100 ms; a peer silent for 2.5 s is evicted,
and a ring that lost a member is rebuilt without it. A peer that finds it was evicted (it was
stopped for too long) says so, drops its ring state, and may register again.
Blank lines and lines starting with # are ignored. Consecutive "query-dht <name> <event-id>" lines
run up to --pipeline at a time; every other line waits for them and runs alone. The output is the
same as when each command runs after the one before: each command's lines together, in order.

  --data-dir DIR       where details-YYYY.csv files are (default: the first of $STORMDHT_DATA_DIR,
                       ./data and ../shared/data/storm-events that holds one)
  --port-range LO-HI   ports "register <name>" picks from (default 7001-7499)
  --json               print one JSON object per line (results and events) instead of the trace;
                       an event's "at" is when it was printed, in ms since the epoch (to the µs)
  --quiet              print each command's result lines only, as redis-cli does: no trace, no
                       notes; a warning goes to stderr (above the prompt on a terminal); not with
                       --json
  --batch-bytes N      byte budget of one store datagram (default 1400: safe on a 1500-byte MTU path;
                       up to 59948, e.g. on loopback)
  --routing R          how this peer's queries travel: hot-potato (the protocol's, default) or direct
                       (the first node sends the query straight to the owner)
  --placement P        how this peer, as leader, places records: ring (the protocol's, default: through
                       the right neighbour) or direct (each batch straight to its owner)
  --store-encoding E   how this peer's store datagrams carry records: deflate (default: the records'
                       file lines, deflated with a preset dictionary: about 59 records of 1996 per
                       1,400-byte datagram instead of 10) or json (SPEC's plain records array)
  --pipeline N         how many queries with an event id may run at once (default 32, 1 to 1024);
                       1 runs every command after the one before, as the protocol does
${FAULTS_HELP}
${SECRET_HELP}`;

export const CLUSTER_USAGE = `usage: stormdht cluster [--peers N] [--names a,b,c] [--data-dir DIR] [--port-range LO-HI]
                        [--replicas R] [--seed S] [--script FILE] [--quiet | --json]

Starts a manager and N peer processes on 127.0.0.1 and gives one prompt for all of them. Type the
protocol's commands as a peer would (register alice, setup-dht alice 3 1996, query-dht bob 5536849);
each goes to the process of the peer it names, and every line printed is labelled with its process.
The prompt also takes help, status [<peer>], peers, kill <peer> (SIGKILL the peer's process: a
crash, which the manager's failure detector finds in about 2.5 s), restart <peer> (start it again
and register it), and quit or exit (or Ctrl-D).
Ctrl-C stops every process. Line editing, history (~/.stormdht_history, or $STORMDHT_HISTORY;
empty: none) and Tab completion of commands, peer names and years.

When stdin is not a terminal, or with --script, the lines are run in order, each after the result
of the one before; blank lines and # comments are skipped. A line starting with ! must fail
("! deregister alice" while alice is in the DHT). The cluster stops at the first line that goes
wrong (an unknown command or peer, a failure not marked !, a success marked !) and exits 1;
otherwise it exits 0 at the end.

  --peers N          how many peers (default 6: alice, bob, carol, dave, erin, frank, then grace …)
  --names a,b,c      the peers' names instead (letters only)
  --data-dir DIR     where the peers read details-YYYY.csv (default: $STORMDHT_DATA_DIR, ./data or
                     ../shared/data/storm-events, whichever holds a year; else a synthetic 1996)
  --port-range LO-HI the ports the peers register on (default 7001-7499)
  --replicas R       the manager keeps R copies of every record (1 to ${MAX_REPLICAS}; default 1, SPEC's DHT;
                     see stormdht manager --help); with 2 or more a ring survives a kill
  --seed S           the manager's --seed: the same lines get the same rings and the same first
                     node for each query, run after run (the README's walk-through uses --seed 42)
  --script FILE      run the lines of FILE instead of reading stdin
  --http PORT        serve the live view on HTTP PORT (0: any free port; a line says where): the
                     manager's view (see stormdht manager --help) and what only the cluster sees,
                     each query's hot-potato path on the ring and the current command's datagrams
                     as a sequence chart; --http-host HOST binds another address than 127.0.0.1
  --quiet            print results only: each peer's result lines under its label, the answers of
                     help, status, peers, kill and restart, and the cluster's errors; no echo of
                     the lines run, no trace, no notes. A process's warnings go to stderr (above
                     the prompt on a terminal)
  --json             print one JSON object per line: each process's own --json lines (peer
                     --json, manager --json) with "process" added, its name or "manager"; and the
                     cluster's own lines as events of "process":"cluster": command (a line run),
                     answer (a line given to a peer's prompt), message (the answer of help, peers,
                     kill, restart), note, error, live-view (--http's url). Not with --quiet`;

export const DEMO_USAGE = `usage: stormdht demo [--data-dir DIR] [--synthetic] [--port-range LO-HI] [--replicas R] [--secret S]
                     [--http PORT [--http-host HOST]]

Plays the full demo script of the protocol (SPEC §11.2) in a local cluster (see stormdht cluster):
a manager and six peers as real processes on 127.0.0.1. Each step is announced in one line, then
its commands are shown as typed at the cluster prompt, with every process's output, labelled, in
the order it happened. A step ends once its results are in and every process has gone quiet, so
each step's lines stay under its header (the lines show about a quarter of a second late, the
time a line held up in a busy process's pipe has to catch up).
The DHT keeps R copies of every record (default 2), and before the teardown one more step kills
the member that holds a queried record: a copy answers for it, the manager's failure detector
evicts it in about 2.5 s, and the first survivor rebuilds the ring from the members' own copies,
reading no file. --replicas 1 plays SPEC's nine steps alone, on SPEC's DHT.
Every result is checked; the demo exits 1 with "demo FAILED: …" at the first unexpected one. At
the end it stays at the cluster prompt when on a terminal, and exits 0 otherwise. Uses the real
1996 file when it finds one (--data-dir, $STORMDHT_DATA_DIR, ./data, ../shared/data/storm-events),
otherwise a synthetic 1996 that stormdht generates (and says so).

  --data-dir DIR     read details-1996.csv from DIR
  --synthetic        use the generated synthetic year even when real data is present
  --port-range LO-HI the ports the peers register on (default 7001-7499)
  --replicas R       copies of every record, 1 to ${MAX_REPLICAS} (default 2; 1 is SPEC's DHT, without the crash step)
  --secret S         run every process with the system secret S (default: $STORMDHT_SECRET)
  --http PORT        serve the cluster's live view on HTTP PORT, to watch the demo in a browser
                     (npm start -- --http 8080): the ring, each query's path on it, each command's
                     datagrams (see stormdht cluster --help); --http-host HOST binds another address`;

export const SIM_USAGE = `usage: stormdht sim [--seeds N] [--seed S] [--steps K] [--replicas R|drawn] [--manager-crashes] [--verbose] [--trace] [--secret S]

Runs the deterministic simulation: the manager and peers, running the protocol code, on a simulated
network with a virtual clock, under random loss, duplication, reordering, delay and crashes drawn
from each seed, playing random commands and checking the invariants after every step. Runs seeds
S..S+N-1, prints one line per failing seed and a summary, and exits 1 if any seed failed. A failing
seed replays exactly: stormdht sim --seed S --verbose.

  --seeds N    how many seeds to run (default 100; 1 when --seed is given alone)
  --seed S     the first seed (default 1)
  --steps K    commands per run (default 40)
  --replicas R the manager keeps R copies of every record (1 to 7; default 1); \`drawn\` draws 2 or 3
               per seed, crashes peers in every run (never R ring members at once) and checks that
               every record stays on R live nodes and that queries made during a crash find it
  --manager-crashes
               the manager keeps its state (issue 13) and its process is killed and started again
               from it: at random moments, while it awaits a completion, in the middle of a write
               or right after one; down from a few ms to 25 s. Checks that it comes back with the
               state its disk must hold, runs no command twice and evicts nobody for its absence
  --verbose    print each run: its fault settings, one line per command, and the state after it
  --trace      print every message and note of every process, with its virtual time
  --secret S   every process authenticates every datagram with the system secret S`;

/** A bad invocation: printed with the program's usage, exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
