#!/usr/bin/env bash
# The distributed runtime on several "hosts": Linux network namespaces joined by a bridge.
#
#   netns_test.sh BUILD_BIN_DIR WORK_DIR
#
# BUILD_BIN_DIR holds quokka, lesson0, lesson1 and quokka_slow_run (tests/distributed/tools).
#
# Topology (all made here and removed on exit, also on failure or interruption):
#   namespace <id>-sw       the switch: bridge br0 and the switch end of every veth pair
#   namespace <id>-redis    NET.1      redis-server, password from a file, bound to NET.1 only
#   namespace <id>-drv      NET.2      the driver (quokka tpch run, lesson0, lesson1, ...)
#   namespace <id>-w1..w4   NET.11-14  workers; w4 has the certificates of a foreign CA
# where <id> is qk<pid of this script> (two runs never share a name) and NET a private /24 that
# this machine does not use (10.77.0 if free). The namespaces share the file system, so data,
# keys and logs are plain paths under WORK_DIR/netns.<pid>.
#
# Checks: TPC-H results through the cluster are byte-identical to local mode; lesson0 and
# lesson1 run on workers that are their own binaries; a worker killed with SIGKILL in the
# middle of a run fails it within a bound, naming the machine, and the others serve the next
# graph; mutual TLS refuses a worker and a driver of a foreign CA, and a worker's data port
# refuses a client without a certificate or with a foreign one (openssl s_client, if
# installed); a wrong Redis password or address gives a clear error and a non-zero exit, never
# a hang or a crash; a slow network (4 Mbit/s per host, tc tbf) does not break a healthy run; a
# second worker of a taken name is refused without harming the first one.
# The SSH launcher, with real OpenSSH servers (sshd in w1..w3, none in w4): `quokka cluster up`
# starts detached workers in the right namespaces and returns, `status` shows them alive, TPC-H
# through them equals local mode, a second `up` keeps track of the running workers, `down`
# stops them (DOWN in Redis, processes gone) and leaves its standard input alone, and `up`
# reports a machine without sshd (or without a host) as FAILED with a non-zero exit in bounded
# time.
#
# A failed check prints a line starting with "FAIL" and the test goes on where it can; the
# summary at the end lists the failed checks.
# Needs redis-server, openssh-server (sshd) and openssh-client (scripts/install-deps.sh).
# Exit 0: passed. 1: failed. 77: skipped (not root, or network namespaces / veth pairs /
# bridges unavailable). QK_NETNS_SKIP_SLOW_NETWORK=1 leaves out the slow-network check;
# QK_NETNS_KILL_BOUND=S sets the bound for failing a run after a worker's death (default 15 s).
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_BIN_DIR WORK_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

start=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }
say() { echo "     [$(since "$start") s] $*"; }
ok() { echo "ok   [$(since "$start") s] $*"; }
skip() {
  echo "SKIP netns_test: $*"
  exit 77
}

# ------------------------------------------------------------------------------ preconditions

[ "$(id -u)" = 0 ] || skip "needs root to make network namespaces (running as uid $(id -u))"
command -v ip >/dev/null || skip "the ip command (iproute2) is not installed"

id="qk$$"
probe="$id-probe$RANDOM"
if ! probe_error=$(ip netns add "$probe" 2>&1); then
  skip "ip netns is unavailable here: $probe_error"
fi
probe_error=$( { ip netns exec "$probe" true && ip -n "$probe" link add name br0 type bridge &&
                 ip -n "$probe" link add name va type veth peer name vb; } 2>&1)
probe_status=$?
ip netns del "$probe" 2>/dev/null
[ $probe_status -eq 0 ] || skip "ip netns exec, bridges or veth pairs are unavailable here: $probe_error"

bin="$(cd "$1" 2>/dev/null && pwd)" || { echo "FAIL no build bin directory '$1'"; exit 1; }
for program in quokka lesson0 lesson1 quokka_slow_run; do
  [ -x "$bin/$program" ] || { echo "FAIL missing program $bin/$program (build it first)"; exit 1; }
done
for tool in redis-server redis-cli timeout awk cmp; do
  command -v $tool >/dev/null || { echo "FAIL $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
# OpenSSH for the launcher test (sshd is in /usr/sbin, which may be missing from PATH).
sshd_program=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$sshd_program" ] \
  || { echo "FAIL sshd is not installed (apt-get install openssh-server; scripts/install-deps.sh)"; exit 1; }
for tool in ssh ssh-keygen; do
  command -v $tool >/dev/null \
    || { echo "FAIL $tool is not installed (apt-get install openssh-client; scripts/install-deps.sh)"; exit 1; }
done
have_tc=1
command -v tc >/dev/null || have_tc=0

mkdir -p "$2" || { echo "FAIL cannot make WORK_DIR '$2'"; exit 1; }
run="$(cd "$2" && pwd)/netns.$$"
rm -rf "$run"
mkdir -p "$run/logs" "$run/out" "$run/bin" || { echo "FAIL cannot make $run"; exit 1; }
# Private copies: drivers and workers must be the same build for the whole test, even if the
# build directory is rebuilt meanwhile.
for program in quokka lesson0 lesson1 quokka_slow_run; do
  cp "$bin/$program" "$run/bin/" || { echo "FAIL cannot copy $bin/$program"; exit 1; }
done
quokka="$run/bin/quokka"
lesson0="$run/bin/lesson0"
lesson1="$run/bin/lesson1"
slow_run="$run/bin/quokka_slow_run"

# A private /24 that this machine has no address in and routes nowhere but by its default
# route (the test's hosts live in their own namespaces; this keeps them clear of real ones).
route_field() { awk -v key="$1" '{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'; }
pick_subnet() {
  local net used default_dev default_via dev via
  default_dev=$(ip -4 route show default | route_field dev)
  default_via=$(ip -4 route show default | route_field via)
  for net in 10.77.0 10.177.77 10.213.77 172.29.77 192.168.177; do
    used=0
    ip -4 -o addr show | grep -q "inet ${net}\." && used=1
    ip -4 route show | awk '{ print $1 }' | grep -q "^${net}\." && used=1
    if ip -4 route get "${net}.1" >/dev/null 2>&1; then
      dev=$(ip -4 route get "${net}.1" | route_field dev)
      via=$(ip -4 route get "${net}.1" | route_field via)
      [ "$dev" != "$default_dev" ] && used=1
      [ "$via" != "$default_via" ] && used=1
    fi
    if [ $used -eq 0 ]; then
      echo "$net"
      return 0
    fi
  done
  return 1
}
net=$(pick_subnet) || { echo "FAIL no unused private /24 among the candidates"; exit 1; }

declare -A ip_of=([redis]=$net.1 [drv]=$net.2 [w1]=$net.11 [w2]=$net.12 [w3]=$net.13 [w4]=$net.14)
hosts="redis drv w1 w2 w3 w4"
switch="$id-sw"
ns() { echo "$id-$1"; }
redis="${ip_of[redis]}:6379"
port=7070

# ------------------------------------------------------------------------------ clean-up

namespaces=()          # made here, removed on exit
declare -A worker_pid  # worker name -> pid of its process
failures=()            # failed checks
keep_run_dir=1

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Our background processes still running (redis-server, workers, drivers): this shell's
  # jobs, so that no pid of a process that ended (and may have been reused) is signalled.
  local pid pids=()
  for pid in $(jobs -p); do pids+=("$pid"); done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  # Anything else still inside our namespaces was started by this script (the names are ours).
  local name
  for name in "${namespaces[@]}"; do
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  for name in "${namespaces[@]}"; do
    for _ in $(seq 30); do
      [ -z "$(ip netns pids "$name" 2>/dev/null)" ] && break
      sleep 0.1
    done
    ip netns del "$name" 2>/dev/null
  done
  # The switch's namespace took the bridge and the veth pairs with it.
  local left
  left=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$id-")
  [ -n "$left" ] && echo "netns_test: WARNING: could not remove namespaces: $left"
  # What `quokka cluster up` left in the shared /tmp (the names carry this run's id).
  local file
  for file in /tmp/quokka-worker-"$id"-*; do
    [ -e "$file" ] || continue
    if [ -d "$run/logs" ]; then mv -f "$file" "$run/logs/" 2>/dev/null || rm -f "$file"; else rm -f "$file"; fi
  done
  rm -rf "$run/tpch" "$run/lesson1" "$run/bin"
  if [ $status -eq 0 ] && [ $keep_run_dir -eq 0 ]; then
    rm -rf "$run"
  elif [ -d "$run" ]; then
    echo "netns_test: logs and outputs kept in $run"
  fi
  exit $status
}
trap cleanup EXIT
trap 'echo "netns_test: interrupted"; exit 130' INT
trap 'echo "netns_test: terminated"; exit 143' TERM

log_files=()  # worker and Redis logs, shown when the test stops on a failure

# fatal MESSAGE: a failure the rest of the test cannot go on from.
fatal() {
  echo "FAIL $*"
  local file
  for file in "${log_files[@]}"; do
    [ -s "$file" ] || continue
    echo "---- $file (last lines):"
    tail -n 8 "$file"
  done
  echo "----"
  failures+=("$*")
  summary
}
# problem MESSAGE: a failed check; the test goes on.
problem() {
  echo "FAIL [$(since "$start") s] $*"
  failures+=("$*")
}
summary() {
  if [ ${#failures[@]} -eq 0 ]; then
    keep_run_dir=0
    echo "netns_test: all checks passed in $(since "$start") s"
    exit 0
  fi
  echo "netns_test: ${#failures[@]} check(s) FAILED (after $(since "$start") s):"
  local failure
  for failure in "${failures[@]}"; do echo "  - $failure"; done
  exit 1
}

# ------------------------------------------------------------------------------ topology

make_topology() {
  ip netns add "$switch" || fatal "ip netns add $switch"
  namespaces+=("$switch")
  ip -n "$switch" link set lo up
  ip -n "$switch" link add name br0 type bridge || fatal "cannot make a bridge in $switch"
  ip -n "$switch" link set br0 up
  local host name
  for host in $hosts; do
    name=$(ns "$host")
    ip netns add "$name" || fatal "ip netns add $name"
    namespaces+=("$name")
    ip -n "$name" link set lo up
    # The veth pair: its switch end is named after the host, its host end is eth0.
    ip -n "$switch" link add name "$host" type veth peer name eth0 netns "$name" \
      || fatal "cannot make the veth pair of $host"
    ip -n "$switch" link set "$host" master br0 up
    ip -n "$name" addr add "${ip_of[$host]}/24" dev eth0
    ip -n "$name" link set eth0 up
  done
}

# x HOST COMMAND...: run a command in a host's namespace (in the foreground).
x() {
  local host=$1
  shift
  ip netns exec "$(ns "$host")" "$@"
}

start_redis() {
  password_file="$run/redis.pass"
  (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$password_file" \
    && echo >>"$password_file")
  password=$(head -n 1 "$password_file")
  mkdir -p "$run/redis"
  (umask 077 && cat >"$run/redis.conf" <<EOF
bind ${ip_of[redis]}
port 6379
protected-mode yes
requirepass $password
save ""
appendonly no
dir $run/redis
daemonize no
EOF
  )
  # ip netns exec itself, not through x: $! must be the server's pid, not a subshell's.
  ip netns exec "$(ns redis)" redis-server "$run/redis.conf" >"$run/logs/redis.log" 2>&1 &
  log_files+=("$run/logs/redis.log")
  local host deadline=$((SECONDS + 15))
  for host in drv w1 w2 w3 w4; do
    until [ "$(x "$host" env REDISCLI_AUTH="$password" redis-cli -h "${ip_of[redis]}" -p 6379 ping 2>/dev/null)" = PONG ]; do
      [ $SECONDS -lt $deadline ] || fatal "Redis at $redis does not answer PING from namespace $(ns "$host")"
      sleep 0.2
    done
  done
  # Bound to its namespace address only: nothing on the namespace's loopback.
  if x redis redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    fatal "redis-server answers on 127.0.0.1 too (expected: bound to ${ip_of[redis]} only)"
  fi
}

# ------------------------------------------------------------------------------ workers

# start_worker NAME PROGRAM TLS_DIR: a worker in namespace NAME on its address and port 7070.
# PROGRAM quokka runs `quokka worker`, any other `PROGRAM --quokka-worker`.
start_worker() {
  local name=$1 program=$2 tls=$3
  local log="$run/logs/$phase.$name.log"
  local command
  if [ "$program" = "$quokka" ]; then
    command=("$quokka" worker)
  else
    command=("$program" --quokka-worker)
  fi
  ip netns exec "$(ns "$name")" "${command[@]}" --redis "$redis" --password-file "$password_file" \
    --tls-dir "$tls" --name "$name" --listen "${ip_of[$name]}:$port" --threads 1 >"$log" 2>&1 &
  worker_pid[$name]=$!
  log_files+=("$log")
}

# stop_worker NAME: SIGTERM; it must exit with status 0 within 10 s.
stop_worker() {
  local name=$1 pid=${worker_pid[$1]} status
  local log="$run/logs/$phase.$name.log"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    status=$?
    unset "worker_pid[$name]"
    problem "worker $name ($phase) had ended by itself before it was stopped: $(describe_status $status); last line of $log: $(tail -n 1 "$log")"
    return
  fi
  kill -TERM "$pid" 2>/dev/null
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      kill -KILL "$pid" 2>/dev/null
      problem "worker $name (pid $pid) did not stop within 10 s of SIGTERM"
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null
  status=$?
  unset "worker_pid[$name]"
  [ $status -eq 0 ] || problem "worker $name ($phase) ended with $(describe_status $status) after SIGTERM (expected exit 0); last line of $log: $(tail -n 1 "$log")"
}

# wait_status CLUSTER_FILE EXPECTED_STATUS SECONDS [NAMES...]: until `quokka cluster status`
# (from the driver's namespace) exits with EXPECTED_STATUS (0: all alive, 3: some down); the
# named worker processes must not exit meanwhile. Returns 1 at the bound.
wait_status() {
  local file=$1 expected=$2 seconds=$3
  shift 3
  local deadline=$((SECONDS + seconds)) name
  while true; do
    x drv "$quokka" cluster status --config "$file" >"$run/logs/status.out" 2>&1
    [ $? -eq "$expected" ] && return 0
    for name in "$@"; do
      kill -0 "${worker_pid[$name]}" 2>/dev/null || fatal "worker $name exited while starting"
    done
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
# start_workers PROGRAM NAMES...: start them with the cluster's keys and wait until all alive.
start_workers() {
  local program=$1 name
  shift
  for name in "$@"; do start_worker "$name" "$program" "$run/tls"; done
  write_cluster "$run/starting.json" "$run/tls" "$redis" "$@"
  wait_status "$run/starting.json" 0 20 "$@" \
    || { cat "$run/logs/status.out"; fatal "workers $* of $(basename "$program") not alive within 20 s"; }
}

# write_cluster FILE TLS_DIR REDIS NAMES...
write_cluster() {
  local file=$1 tls=$2 address=$3
  shift 3
  {
    printf '{\n  "redis": "%s",\n  "redis_password_file": "%s",\n  "tls_dir": "%s",\n  "machines": [' \
      "$address" "${cluster_password_file:-$password_file}" "$tls"
    local sep="" name
    for name in "$@"; do
      printf '%s\n    {"name": "%s", "address": "%s", "data_port": %d, "cores": 1}' \
        "$sep" "$name" "${ip_of[$name]}" "$port"
      sep=","
    done
    printf '\n  ]\n}\n'
  } >"$file"
}

# ------------------------------------------------------------------------------ commands

# bounded NAME SECONDS HOST COMMAND...: run in a namespace under a time bound; stdout and
# stderr to $run/out/NAME.out and .err; returns the status (124: stopped at the bound).
bounded() {
  local name=$1 seconds=$2 host=$3
  shift 3
  timeout -k 5 "$seconds" ip netns exec "$(ns "$host")" "$@" >"$run/out/$name.out" 2>"$run/out/$name.err"
}
output_of() { cat "$run/out/$1.out" "$run/out/$1.err"; }
show_output() {
  echo "     ---- output of $1 ($run/out/$1.out, .err):"
  { tail -n 12 "$run/out/$1.out"; tail -n 12 "$run/out/$1.err"; } | sed 's/^/     | /'
}
describe_status() {  # exit status of `timeout ... command`
  case $1 in
    124 | 137) echo "no answer within the bound (hang)" ;;
    13[0-9] | 1[4-5][0-9]) echo "crashed: killed by signal $(($1 - 128)) (status $1)" ;;
    *) echo "exit status $1" ;;
  esac
}

# tpch_same NAME QUERY DATA CLUSTER_FILE: the cluster's CSV equals local mode's byte for byte.
tpch_same() {
  local name=$1 q=$2 data=$3 file=$4
  local reference_name="local.q$q.$(basename "$data")"
  local reference="$run/out/$reference_name.csv"
  if [ ! -f "$reference" ]; then
    if ! bounded "$reference_name" 120 drv "$quokka" tpch run --query "$q" --data "$data" \
         --output "$reference"; then
      show_output "$reference_name"
      problem "Q$q in local mode failed"
      return 1
    fi
  fi
  local t0 status
  t0=$(now)
  bounded "$name" 120 drv "$quokka" tpch run --query "$q" --data "$data" --cluster "$file" \
    --output "$run/out/$name.csv"
  status=$?
  if [ $status -ne 0 ]; then
    show_output "$name"
    problem "$name: Q$q on $(basename "$file"): $(describe_status $status)"
    return 1
  fi
  if ! cmp -s "$reference" "$run/out/$name.csv"; then
    diff "$reference" "$run/out/$name.csv" | head -20
    problem "$name: Q$q on $(basename "$file") differs from local mode"
    return 1
  fi
  ok "$name: Q$q on $(basename "$file") = local mode, byte for byte ($(($(wc -l <"$reference") - 1)) rows, $(since "$t0") s)"
}

# expect_failure NAME SECONDS PATTERN HOST COMMAND...: the command must exit non-zero (not
# crash, not hang) within the bound, with PATTERN (extended regexp) in its output. Prints what
# it printed.
expect_failure() {
  local name=$1 seconds=$2 pattern=$3
  shift 3
  local t0 status took
  t0=$(now)
  bounded "$name" "$seconds" "$@"
  status=$?
  took=$(since "$t0")
  if [ $status -eq 0 ]; then
    show_output "$name"
    problem "$name: expected a failure, but it succeeded: ${*:2}"
    return 1
  fi
  if [ $status -eq 124 ] || [ $status -eq 137 ] || [ $status -gt 128 ]; then
    show_output "$name"
    problem "$name: $(describe_status $status) after $took s, no clear error: ${*:2}"
    return 1
  fi
  # grep the files, not `output_of | grep -q`: with pipefail, cat's SIGPIPE after an early match
  # would count as no match.
  if ! grep -Eq -- "$pattern" "$run/out/$name.out" "$run/out/$name.err"; then
    show_output "$name"
    problem "$name: exit $status, but the message lacks /$pattern/"
    return 1
  fi
  ok "$name: exit $status after $took s; it printed:"
  output_of "$name" | grep -v '^[[:space:]]*$' | tail -n 4 | sed 's/^/     | /'
}

# ------------------------------------------------------------------------------ SSH launcher

# OpenSSH servers for `quokka cluster up/down`: one sshd per worker namespace, port 22 of the
# namespace's address, root login with a key made for this run only (no password logins).
ssh_dir="$run/ssh"
declare -A sshd_pid   # host -> pid of its sshd
ssh_command=""        # the SSH command of the launcher (QUOKKA_SSH or --ssh)

make_ssh_keys() {
  mkdir -p "$ssh_dir" || return 1
  ssh-keygen -q -t ed25519 -N '' -C "quokka netns_test host key" -f "$ssh_dir/host_key" </dev/null \
    || return 1
  ssh-keygen -q -t ed25519 -N '' -C "quokka netns_test client key" -f "$ssh_dir/client_key" \
    </dev/null || return 1
  # sshd's privilege-separation directory: a path compiled into it, made at boot by the
  # openssh-server package when its service is enabled.
  [ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd || return 1
  # No user or system ssh_config (-F /dev/null), only this key, never a prompt, any host key
  # (made here), and a bound on connecting to a machine that does not answer.
  ssh_command="ssh -F /dev/null -i $(printf %q "$ssh_dir/client_key") -o IdentitiesOnly=yes"
  ssh_command+=" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
  ssh_command+=" -o LogLevel=ERROR -o ConnectTimeout=5"
}

# start_sshd HOST: sshd in the host's namespace, with its own configuration under $ssh_dir.
start_sshd() {
  local host=$1 config="$ssh_dir/sshd_config.$1" error
  cat >"$config" <<EOS
ListenAddress ${ip_of[$host]}
Port 22
HostKey "$ssh_dir/host_key"
PidFile "$ssh_dir/sshd.$host.pid"
AuthorizedKeysFile "$ssh_dir/client_key.pub"
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel INFO
EOS
  if ! error=$("$sshd_program" -t -f "$config" 2>&1); then
    problem "sshd -t refuses $config: $error"
    return 1
  fi
  # ip netns exec itself: $! must be sshd's pid (-D: it stays in the foreground; -e: log to stderr).
  ip netns exec "$(ns "$host")" "$sshd_program" -D -e -f "$config" >"$run/logs/sshd.$host.log" 2>&1 &
  sshd_pid[$host]=$!
  log_files+=("$run/logs/sshd.$host.log")
}

# ssh_login HOST: from the driver's namespace, a root login with the key runs a command (the
# sshd is up and lets us in); retried for up to 10 s.
ssh_login() {
  local host=$1 deadline=$((SECONDS + 10)) out
  while true; do
    out=$(x drv sh -c "$ssh_command root@${ip_of[$host]} echo login-works" </dev/null 2>&1)
    grep -qx login-works <<<"$out" && return 0
    if [ $SECONDS -ge $deadline ] || ! kill -0 "${sshd_pid[$host]}" 2>/dev/null; then
      problem "ssh root@${ip_of[$host]} (sshd in $(ns "$host")) does not let the test's key in: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
      tail -n 5 "$run/logs/sshd.$host.log" | sed 's/^/     | sshd: /'
      return 1
    fi
    sleep 0.2
  done
}

# write_ssh_cluster FILE TLS_DIR HOST...: machines named <id>-HOST (the launcher's pid and log
# files in the shared /tmp carry the name) at HOST's address, each with "ssh": "root@ADDRESS".
write_ssh_cluster() {
  local file=$1 tls=$2
  shift 2
  {
    printf '{\n  "redis": "%s",\n  "redis_password_file": "%s",\n  "tls_dir": "%s",\n  "machines": [' \
      "$redis" "$password_file" "$tls"
    local sep="" host
    for host in "$@"; do
      printf '%s\n    {"name": "%s", "address": "%s", "data_port": %d, "cores": 1, "ssh": "root@%s"}' \
        "$sep" "$id-$host" "${ip_of[$host]}" "$port" "${ip_of[$host]}"
      sep=","
    done
    printf '\n  ]\n}\n'
  } >"$file"
}
pid_file_of() { echo "/tmp/quokka-worker-$id-$1.pid"; }
log_file_of() { echo "/tmp/quokka-worker-$id-$1.log"; }
# is_launched_worker PID HOST: PID is a live `quokka worker` of machine <id>-HOST.
is_launched_worker() {
  local command
  kill -0 "$1" 2>/dev/null && command=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) \
    && [[ "$command" == *" worker "*"--name $id-$2 "* ]]
}

# ============================================================================== the test

phase=setup
say "network $net.0/24, namespaces $id-*, files in $run"
make_topology
start_redis
ok "topology: bridge in $switch, Redis at $redis with a password, hosts: $hosts"

# ---- 1. Keys: the cluster's (the driver's are made too), and a foreign CA's.
bounded keys 30 drv "$quokka" cluster keys --out "$run/tls" --machines w1,w2,w3 \
  || { show_output keys; fatal "quokka cluster keys"; }
bounded keys.rogue 30 drv "$quokka" cluster keys --out "$run/rogue" --machines w4 \
  || { show_output keys.rogue; fatal "quokka cluster keys (foreign CA)"; }
for file in ca.crt w1.crt w1.key w2.crt w2.key w3.crt w3.key driver.crt driver.key; do
  [ -s "$run/tls/$file" ] || fatal "quokka cluster keys did not write $file"
done
ok "keys: $(cd "$run/tls" && echo *); a foreign CA in rogue/"

# ---- 2-3. The cluster file and three `quokka worker`s.
cluster="$run/c.json"
write_cluster "$cluster" "$run/tls" "$redis" w1 w2 w3
phase=tpch
start_workers "$quokka" w1 w2 w3
ok "three quokka workers alive: $(tr -s ' ' <"$run/logs/status.out" | tr '\n' ';')"

# ---- 4. TPC-H through the cluster = local mode.
data="$run/tpch/sf0.01"
bounded gen 120 drv "$quokka" tpch gen --sf 0.01 --out "$data" || { show_output gen; fatal "tpch gen"; }
for q in 3 12 1 6 4 5 10 13 14 19; do
  tpch_same "cluster.q$q" "$q" "$data" "$cluster"
done

# The examples, on workers that are the example programs themselves.
bash "$root/examples/tutorials/lesson1/make_data.sh" "$run/lesson1" 20000 10000 3000 >/dev/null \
  || fatal "lesson1 make_data.sh"
for w in w1 w2 w3; do stop_worker "$w"; done
phase=lesson0
start_workers "$lesson0" w1 w2 w3
bounded lesson0 60 drv "$lesson0" --cluster "$cluster"
status=$?
if [ $status -eq 0 ] && grep -qx "total 3160" "$run/out/lesson0.out"; then
  ok "lesson0 --cluster on lesson0 workers: total 3160"
else
  show_output lesson0
  problem "lesson0 --cluster: $(describe_status $status), expected 'total 3160'"
fi
for w in w1 w2 w3; do stop_worker "$w"; done
phase=lesson1
start_workers "$lesson1" w1 w2 w3
bounded lesson1 60 drv "$lesson1" "$run/lesson1" --cluster "$cluster"
status=$?
if [ $status -eq 0 ] && grep -qx "count matches" "$run/out/lesson1.out"; then
  ok "lesson1 --cluster on lesson1 workers: count matches"
else
  show_output lesson1
  problem "lesson1 --cluster: $(describe_status $status), expected 'count matches'"
fi
for w in w1 w2 w3; do stop_worker "$w"; done

# ---- 5. A worker dies in the middle of a run (SIGKILL): the run fails within the bound,
# naming it, and the other workers take the next graph. The run: quokka_slow_run, whose slow
# stage sleeps a fixed time per batch (round-robin over the machines), so its length does not
# depend on the speed of this machine.
phase=failure
start_workers "$slow_run" w1 w2 w3
bounded slow.short 60 drv "$slow_run" --cluster "$cluster" --objects 60 --millis 0
status=$?
if [ $status -eq 0 ]; then
  ok "quokka_slow_run (short) on its own workers: $(cat "$run/out/slow.short.out")"
else
  show_output slow.short
  problem "quokka_slow_run --objects 60 --millis 0: $(describe_status $status)"
fi
kill_bound=${QK_NETNS_KILL_BOUND:-15}
# 1200 batches of 20 ms over 3 slow channels: about 8 s; w3 dies 1.5 s into it.
timeout -k 5 120 ip netns exec "$(ns drv)" "$slow_run" --cluster "$cluster" --objects 1200 \
  --millis 20 >"$run/out/slow.kill.out" 2>"$run/out/slow.kill.err" &
driver=$!
sleep 1.5
if ! kill -0 "$driver" 2>/dev/null; then
  wait "$driver"
  status=$?
  show_output slow.kill
  problem "quokka_slow_run (an ~8 s run) ended within 1.5 s, before any worker was killed: $(describe_status $status)"
  stop_worker w3
else
  kill -KILL "${worker_pid[w3]}"
  killed_at=$(now)
  wait "${worker_pid[w3]}" 2>/dev/null  # at once: no job notice from bash
  unset "worker_pid[w3]"
  while kill -0 "$driver" 2>/dev/null; do
    [ "$(since "$killed_at" | cut -d. -f1)" -ge "$kill_bound" ] && break
    sleep 0.1
  done
  took=$(since "$killed_at")
  if kill -0 "$driver" 2>/dev/null; then
    kill -TERM "$driver"
    wait "$driver"
    show_output slow.kill
    problem "killed worker w3 (SIGKILL) 1.5 s into a run: the driver did not fail within $kill_bound s (hang)"
  else
    wait "$driver"
    status=$?
    if [ $status -eq 0 ]; then
      show_output slow.kill
      problem "killed worker w3 1.5 s into a run, but the run succeeded"
    elif [ $status -gt 128 ]; then
      show_output slow.kill
      problem "killed worker w3 1.5 s into a run: the driver $(describe_status $status)"
    elif ! grep -q "'w3'" "$run/out/slow.kill.err"; then
      show_output slow.kill
      problem "killed worker w3 1.5 s into a run: the error does not name machine 'w3'"
    else
      ok "killed worker w3 (SIGKILL) 1.5 s into an ~8 s run: the driver failed $took s later (bound $kill_bound s), exit $status:"
      sed 's/^/     | /' "$run/out/slow.kill.err"
      if [ "${took%.*}" -ge 6 ]; then
        say "note: more than the 2 s heartbeat timeout and a short cancel; the driver waits up to 10 s for every machine (the dead one too) to answer its cancel"
      fi
    fi
  fi
fi
# The survivors take the next graphs: TPC-H Q6 (built-in types: any program calling
# quokka::Init serves them) and a short slow run.
cluster2="$run/c2.json"
write_cluster "$cluster2" "$run/tls" "$redis" w1 w2
for w in w1 w2; do
  kill -0 "${worker_pid[$w]}" 2>/dev/null || problem "worker $w died with w3 (see $run/logs/failure.$w.log)"
done
tpch_same "survivors.q6" 6 "$data" "$cluster2"
bounded survivors.slow 60 drv "$slow_run" --cluster "$cluster2" --objects 60 --millis 0
status=$?
if [ $status -eq 0 ]; then
  ok "survivors w1, w2: quokka_slow_run: $(cat "$run/out/survivors.slow.out")"
else
  show_output survivors.slow
  problem "survivors w1, w2: quokka_slow_run: $(describe_status $status)"
fi
for w in w1 w2; do [ -n "${worker_pid[$w]:-}" ] && stop_worker "$w"; done
# w3's heartbeat key expires 2 s after its death; until then its name is taken.
write_cluster "$run/w3.json" "$run/tls" "$redis" w3
wait_status "$run/w3.json" 3 10 || problem "killed worker w3 still shows as alive 10 s after its death"

# ---- 6. Security.
phase=security
start_workers "$quokka" w1 w2 w3
# (a) A worker with a foreign CA's certificate (but the Redis password) joins a run.
start_worker w4 "$quokka" "$run/rogue"
write_cluster "$run/w4.json" "$run/tls" "$redis" w4
wait_status "$run/w4.json" 0 20 w4 || fatal "the foreign worker w4 did not register"
write_cluster "$run/c_w4.json" "$run/tls" "$redis" w1 w2 w4
expect_failure rogue.worker 60 "'w4'" drv "$quokka" tpch run --query 3 --data "$data" \
  --cluster "$run/c_w4.json"
grep -Eiq "handshake|certificate" "$run/out/rogue.worker.err" \
  || problem "rogue.worker: the driver's error does not say that TLS (handshake/certificate) refused w4"
for w in w1 w2 w4; do
  lines=$(grep -Ei "handshake|certificate|ssl" "$run/logs/security.$w.log" | head -n 2)
  if [ -n "$lines" ]; then
    say "log of $w$([ $w = w4 ] && echo ' (foreign)' || echo ' (honest)') says:"
    echo "$lines" | sed 's/^/     | /'
  else
    say "log of $w: nothing about the refused handshake"
  fi
done
stop_worker w4
tpch_same "after.rogue.worker.q6" 6 "$data" "$cluster"
# The server side of mutual TLS, alone: a client that trusts the cluster CA but presents no
# certificate, or one of a foreign CA, must be refused by a worker's data port (nothing of
# HTTP/2 comes back); with the cluster's driver certificate the same client gets the server's
# HTTP/2 settings (so the probe itself works).
if command -v openssl >/dev/null; then
  tls_probe() {  # name, extra s_client arguments: prints the bytes the server sent after TLS
    (sleep 1; printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'; sleep 1) |
      timeout 15 ip netns exec "$(ns drv)" openssl s_client -connect "${ip_of[w1]}:$port" \
        -CAfile "$run/tls/ca.crt" -servername quokka -alpn h2 -quiet -no_ign_eof "${@:2}" \
        >"$run/out/$1.out" 2>"$run/out/$1.err"
    wc -c <"$run/out/$1.out"
  }
  before=$(wc -l <"$run/logs/security.w1.log")
  [ "$(tls_probe tls.cluster.cert -cert "$run/tls/driver.crt" -key "$run/tls/driver.key")" -gt 0 ] \
    || problem "tls.cluster.cert: a client with the cluster's driver certificate got nothing from w1's data port (the probe does not work?)"
  for probe in no.cert foreign.cert; do
    if [ $probe = no.cert ]; then
      bytes=$(tls_probe "tls.$probe")
    else
      bytes=$(tls_probe "tls.$probe" -cert "$run/rogue/w4.crt" -key "$run/rogue/w4.key")
    fi
    if [ "$bytes" -gt 0 ]; then
      problem "tls.$probe: w1's data port accepted a client with $([ $probe = no.cert ] && echo 'no certificate' || echo 'a foreign certificate') ($bytes bytes of HTTP/2 came back)"
    else
      ok "tls.$probe: w1's data port refused a client with $([ $probe = no.cert ] && echo 'no certificate' || echo 'a certificate of a foreign CA')"
    fi
  done
  lines=$(tail -n +$((before + 1)) "$run/logs/security.w1.log" | grep -Ei "handshake|certificate")
  if [ -n "$lines" ]; then
    say "log of w1 (honest) on these refusals:"
    echo "$lines" | sed 's/^/     | /'
  else
    say "log of w1 (honest): nothing on these refusals"
  fi
else
  say "server-side TLS probes left out: the openssl command is not installed"
fi
# (b) A driver with a foreign CA's driver certificate (but the Redis password).
write_cluster "$run/c_rogue_driver.json" "$run/rogue" "$redis" w1 w2 w3
expect_failure rogue.driver 60 "certificate|handshake|SSL" drv "$quokka" tpch run --query 6 \
  --data "$data" --cluster "$run/c_rogue_driver.json"
for w in w1 w2 w3; do
  lines=$(grep -Ei "handshake|certificate" "$run/logs/security.$w.log" | tail -n 1)
  [ -n "$lines" ] && say "log of $w (last TLS line): $lines"
done
# A TLS directory without the driver's files.
mkdir -p "$run/empty_tls"
write_cluster "$run/c_no_driver_cert.json" "$run/empty_tls" "$redis" w1 w2 w3
expect_failure no.driver.cert 30 "driver\.(crt|key)|ca\.crt" drv "$quokka" tpch run --query 6 \
  --data "$data" --cluster "$run/c_no_driver_cert.json"
# (c) Wrong or missing Redis password.
echo "not-the-password" >"$run/wrong.pass"
expect_failure worker.wrong.password 30 "password" w4 "$quokka" worker --redis "$redis" \
  --password-file "$run/wrong.pass" --tls-dir "$run/rogue" --name w4 --listen "${ip_of[w4]}:$port"
expect_failure worker.no.password 30 "password" w4 "$quokka" worker --redis "$redis" \
  --tls-dir "$run/rogue" --name w4 --listen "${ip_of[w4]}:$port"
cluster_password_file="$run/wrong.pass" write_cluster "$run/c_wrong_pass.json" "$run/tls" "$redis" w1 w2 w3
expect_failure driver.wrong.password 30 "password" drv "$quokka" tpch run --query 6 --data "$data" \
  --cluster "$run/c_wrong_pass.json"

# ---- 7. Wrong Redis address: nothing listening (refused), and no such host (unreachable).
for address in "${ip_of[redis]}:6390" "$net.99:6379"; do
  expect_failure "worker.redis.$address" 30 "Redis at $address" w4 "$quokka" worker \
    --redis "$address" --password-file "$password_file" --tls-dir "$run/rogue" --name w4 \
    --listen "${ip_of[w4]}:$port"
  write_cluster "$run/c_dead_redis.json" "$run/tls" "$address" w1 w2 w3
  expect_failure "driver.redis.$address" 30 "Redis at $address" drv "$quokka" tpch run --query 6 \
    --data "$data" --cluster "$run/c_dead_redis.json"
  expect_failure "status.redis.$address" 30 "Redis at $address" drv "$quokka" cluster status \
    --config "$run/c_dead_redis.json"
done
tpch_same "after.security.q6" 6 "$data" "$cluster"

# ---- 8. A slow network (4 Mbit/s out of every worker): a healthy run must still succeed.
if [ "${QK_NETNS_SKIP_SLOW_NETWORK:-0}" = 1 ]; then
  say "slow-network check left out (QK_NETNS_SKIP_SLOW_NETWORK=1)"
elif [ $have_tc -eq 0 ]; then
  say "slow-network check left out: tc (iproute2) is not installed"
elif ! tc -n "$(ns w1)" qdisc add dev eth0 root tbf rate 4mbit burst 32kb latency 100ms 2>/dev/null; then
  say "slow-network check left out: the tbf qdisc is unavailable"
else
  tc -n "$(ns w2)" qdisc add dev eth0 root tbf rate 4mbit burst 32kb latency 100ms
  tc -n "$(ns w3)" qdisc add dev eth0 root tbf rate 4mbit burst 32kb latency 100ms
  bounded gen.slow 120 drv "$quokka" tpch gen --sf 0.05 --out "$run/tpch/sf0.05" \
    || { show_output gen.slow; fatal "tpch gen --sf 0.05"; }
  tpch_same "slow.network.q5" 5 "$run/tpch/sf0.05" "$cluster"
  for w in w1 w2 w3; do tc -n "$(ns $w)" qdisc del dev eth0 root; done
fi

# ---- 9. A second worker of a name that is taken: refused, and the first one keeps working.
expect_failure duplicate.name 30 "registered already" w1 "$quokka" worker --redis "$redis" \
  --password-file "$password_file" --tls-dir "$run/tls" --name w1 --listen "${ip_of[w1]}:7071"
tpch_same "after.duplicate.q6" 6 "$data" "$cluster"

for w in w1 w2 w3; do stop_worker "$w"; done

# ---- 10. The SSH launcher, through real OpenSSH servers: sshd in w1..w3 (none in w4). The
# workers' binary and certificates are at paths with a space and a quote (the remote command
# is quoted for two shells).
phase=ssh
ssh_phase() {
  local host name pid status t0 took file="$run/c_ssh.json"
  make_ssh_keys || { problem "cannot make the SSH keys in $ssh_dir"; return; }
  for host in w1 w2 w3; do start_sshd "$host" || return; done
  for host in w1 w2 w3; do ssh_login "$host" || return; done
  ok "sshd on port 22 of w1, w2, w3: root logs in with this run's key"
  local ssh_tls="$run/ssh tls's" binary="$run/bin/launcher's copy/quokka"
  mkdir -p "$(dirname "$binary")" && cp "$quokka" "$binary" || { problem "cannot copy $quokka"; return; }
  bounded keys.ssh 30 drv "$quokka" cluster keys --out "$ssh_tls" --machines "$id-w1,$id-w2,$id-w3" \
    || { show_output keys.ssh; problem "quokka cluster keys for the SSH launcher"; return; }
  write_ssh_cluster "$file" "$ssh_tls" w1 w2 w3
  for host in w1 w2 w3; do
    rm -f "$(pid_file_of $host)" "$(log_file_of $host)"
    log_files+=("$(log_file_of $host)")
  done

  # up: one ssh per machine; each must return at once (the worker detached from the session).
  t0=$(now)
  bounded ssh.up 30 drv env QUOKKA_SSH="$ssh_command" "$quokka" cluster up --config "$file" \
    --binary "$binary" </dev/null
  status=$?
  took=$(since "$t0")
  if [ $status -ne 0 ]; then
    show_output ssh.up
    if [ $status -eq 124 ] || [ $status -eq 137 ]; then
      problem "ssh.up: quokka cluster up did not return within 30 s: the ssh session waits for the worker (not detached from it?)"
    else
      problem "ssh.up: quokka cluster up: $(describe_status $status)"
    fi
    return
  fi
  for host in w1 w2 w3; do
    grep -qx "$id-$host (root@${ip_of[$host]}): started, log $(log_file_of $host)" "$run/out/ssh.up.out" \
      || problem "ssh.up: no line '$id-$host (root@${ip_of[$host]}): started, log ...' in: $(tr '\n' ';' <"$run/out/ssh.up.out")"
  done
  ok "ssh.up: quokka cluster up (QUOKKA_SSH) started 3 workers over ssh in $took s:"
  sed 's/^/     | /' "$run/out/ssh.up.out"
  if ! wait_status "$file" 0 20; then
    cat "$run/logs/status.out"
    for host in w1 w2 w3; do
      echo "     ---- $(log_file_of $host):"
      tail -n 5 "$(log_file_of $host)" 2>/dev/null | sed 's/^/     | /'
    done
    problem "ssh.up: the workers started over ssh are not all alive within 20 s"
    return
  fi
  ok "ssh.status: all alive: $(tr -s ' ' <"$run/logs/status.out" | tr '\n' ';')"
  # The pid files name the workers that Redis lists, each in its machine's namespace, running
  # the --binary with the cluster file's name and address.
  local -A launched
  for host in w1 w2 w3; do
    name="$id-$host"
    pid=$(cat "$(pid_file_of $host)" 2>/dev/null)
    local listed
    listed=$(sed -n "s/^$name: alive .* pid \([0-9]*\)\$/\1/p" "$run/logs/status.out")
    if ! [[ "$pid" =~ ^[0-9]+$ ]]; then
      problem "ssh.pid: $(pid_file_of $host) holds no pid ('$pid')"
    elif [ "$pid" != "$listed" ]; then
      problem "ssh.pid: $(pid_file_of $host) says pid $pid, Redis lists $name with pid '$listed'"
    elif [ "$(ip netns identify "$pid" 2>/dev/null)" != "$(ns "$host")" ]; then
      problem "ssh.pid: worker $name (pid $pid) runs in namespace '$(ip netns identify "$pid" 2>/dev/null)', not $(ns "$host")"
    elif [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" != "$binary worker --redis $redis --name $name --listen ${ip_of[$host]}:$port "* ]]; then
      problem "ssh.pid: pid $pid of $name runs: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
      launched[$host]=$pid
    fi
  done
  [ ${#launched[@]} -eq 3 ] \
    && ok "ssh.pid: the pid files name the registered workers (${launched[w1]}, ${launched[w2]}, ${launched[w3]}), in their namespaces, running '$binary'"

  tpch_same "ssh.q3" 3 "$data" "$file"
  tpch_same "ssh.q12" 12 "$data" "$file"

  # A second `up` while the workers run must not lose them: the pid files keep naming them (or
  # `down` could not stop them) and no second worker stays.
  if [ ${#launched[@]} -eq 3 ]; then
    bounded ssh.up.again 30 drv env QUOKKA_SSH="$ssh_command" "$quokka" cluster up --config "$file" \
      --binary "$binary" </dev/null
    status=$?
    sleep 1  # a second worker of a taken name needs a moment to be refused
    local lost=0 now_pid
    for host in w1 w2 w3; do
      now_pid=$(cat "$(pid_file_of $host)" 2>/dev/null)
      if [ "$now_pid" != "${launched[$host]}" ]; then
        lost=1
        problem "ssh.up.again: a second \`cluster up\` while $id-$host runs replaced its pid file: $(pid_file_of $host) now says '$now_pid' ($(is_launched_worker "$now_pid" "$host" && echo 'a second worker, running' || echo 'a process that is gone')), not ${launched[$host]}, the running worker, which \`cluster down\` then cannot stop; log: $(grep -v '^[[:space:]]*$' "$(log_file_of $host)" | tail -n 1)"
        # Put it back, so that the checks of `down` below test `down` alone.
        echo "${launched[$host]}" >"$(pid_file_of $host)"
        is_launched_worker "$now_pid" "$host" && kill -TERM "$now_pid"
      fi
      is_launched_worker "${launched[$host]}" "$host" \
        || problem "ssh.up.again: the running worker $id-$host (pid ${launched[$host]}) is gone after a second \`cluster up\`"
    done
    if [ $lost -eq 0 ]; then
      ok "ssh.up.again: a second \`cluster up\` (exit $status) kept the running workers and their pid files; it printed:"
      output_of ssh.up.again | grep -v '^[[:space:]]*$' | tail -n 4 | sed 's/^/     | /'
    else
      show_output ssh.up.again
    fi
    wait_status "$file" 0 10 || problem "ssh.up.again: not all workers alive after a second \`cluster up\`: $(tr '\n' ';' <"$run/logs/status.out")"
  fi

  # down (--ssh): SIGTERM through the pid files; DOWN in Redis and the processes gone within 5 s.
  t0=$(now)
  bounded ssh.down 30 drv "$quokka" cluster down --config "$file" --ssh "$ssh_command" </dev/null
  status=$?
  took=$(since "$t0")
  if [ $status -ne 0 ]; then
    show_output ssh.down
    problem "ssh.down: quokka cluster down: $(describe_status $status)"
  else
    ok "ssh.down: quokka cluster down (--ssh) in $took s:"
    sed 's/^/     | /' "$run/out/ssh.down.out"
  fi
  for host in w1 w2 w3; do
    grep -qx "$id-$host: stopped" "$run/out/ssh.down.out" || problem "ssh.down: no line '$id-$host: stopped'"
    [ -e "$(pid_file_of $host)" ] && problem "ssh.down: $(pid_file_of $host) is still there"
  done
  local deadline=$((SECONDS + 5)) down_all=0
  while true; do
    x drv "$quokka" cluster status --config "$file" >"$run/logs/status.out" 2>&1
    status=$?
    [ $status -eq 3 ] && [ "$(grep -c ": DOWN\$" "$run/logs/status.out")" -eq 3 ] && { down_all=1; break; }
    [ $SECONDS -lt $deadline ] || break
    sleep 0.2
  done
  if [ $down_all -eq 1 ]; then
    ok "ssh.down: cluster status: all DOWN (exit 3) $(since "$t0") s after \`down\` began"
  else
    problem "ssh.down: 5 s after \`cluster down\`, status exits $status: $(tr '\n' ';' <"$run/logs/status.out")"
  fi
  local running=""
  deadline=$((SECONDS + 5))
  while true; do
    running=""
    for host in "${!launched[@]}"; do
      is_launched_worker "${launched[$host]}" "$host" && running+=" $id-$host (pid ${launched[$host]})"
    done
    [ -z "$running" ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.1
  done
  if [ -n "$running" ]; then
    problem "ssh.down: still running 5 s after \`cluster down\`:$running"
  elif [ ${#launched[@]} -gt 0 ]; then
    ok "ssh.down: the worker processes are gone"
  fi
  for host in w1 w2 w3; do
    grep -q "stopping" "$(log_file_of $host)" 2>/dev/null \
      || problem "ssh.down: the log of $id-$host does not show a stop on SIGTERM ('stopping'): $(tail -n 1 "$(log_file_of $host)" 2>/dev/null)"
  done
  # down again: nothing to stop, a non-zero exit. Its standard input is a file that the caller
  # reads on afterwards (a script's here-document, a `while read` loop): the launcher's ssh
  # must leave it alone (ssh forwards what it reads from stdin to the remote command).
  printf 'the line after\n' >"$ssh_dir/stdin.txt"
  expect_failure ssh.down.again 30 "$id-w1: not running" drv sh -c \
    '"$@"; status=$?; echo "stdin after it: $(cat)"; exit $status' sh \
    "$quokka" cluster down --config "$file" --ssh "$ssh_command" <"$ssh_dir/stdin.txt"
  grep -qx "stdin after it: the line after" "$run/out/ssh.down.again.out" \
    || problem "ssh.down.again: \`quokka cluster down\` consumed its standard input (the ssh it runs reads it; left: '$(sed -n 's/^stdin after it: //p' "$run/out/ssh.down.again.out")')"

  # A machine whose sshd is not running (w4: connection refused) and an address where no
  # machine answers: FAILED for each, the others started, a non-zero exit, within the bound of
  # ConnectTimeout=5.
  ip_of[gone]=$net.99
  local partial="$run/c_ssh_partial.json"
  write_ssh_cluster "$partial" "$ssh_tls" w1 w4 gone
  log_files+=("$(log_file_of w1)")
  expect_failure ssh.up.partial 20 "$id-w4 \\(root@${ip_of[w4]}\\): FAILED" drv env QUOKKA_SSH="$ssh_command" \
    "$quokka" cluster up --config "$partial" --binary "$binary" </dev/null
  grep -q "^$id-gone (root@$net.99): FAILED" "$run/out/ssh.up.partial.out" \
    || problem "ssh.up.partial: no FAILED line for $id-gone (root@$net.99, no such machine)"
  grep -q "^$id-w1 (root@${ip_of[w1]}): started" "$run/out/ssh.up.partial.out" \
    || problem "ssh.up.partial: $id-w1 (sshd running) was not started next to the failing machines"
  pid=$(cat "$(pid_file_of w1)" 2>/dev/null)
  bounded ssh.down.partial 20 drv "$quokka" cluster down --config "$partial" --ssh "$ssh_command" </dev/null
  grep -qx "$id-w1: stopped" "$run/out/ssh.down.partial.out" \
    || { show_output ssh.down.partial; problem "ssh.down.partial: $id-w1 not stopped"; }
  deadline=$((SECONDS + 5))
  while [[ "$pid" =~ ^[0-9]+$ ]] && is_launched_worker "$pid" w1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  [[ "$pid" =~ ^[0-9]+$ ]] && is_launched_worker "$pid" w1 \
    && problem "ssh.down.partial: worker $id-w1 (pid $pid) still runs 5 s after \`cluster down\`"
  for host in w1 w2 w3; do
    kill -TERM "${sshd_pid[$host]}" 2>/dev/null
    wait "${sshd_pid[$host]}" 2>/dev/null
  done
}
ssh_phase

summary
