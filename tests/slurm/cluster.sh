#!/usr/bin/env bash
# A real one-node SLURM cluster on localhost for GOcotrain's tests: munge, MariaDB, slurmdbd,
# slurmctld and slurmd run as plain daemons under $GOCOTRAIN_SLURM_BASE, from Debian's packages
# (installed when missing). Needs root. Nothing is written to /etc.
#
#   tests/slurm/cluster.sh start    # prints READY and the env file to source
#   tests/slurm/cluster.sh stop     # stops exactly the daemons it started
#   tests/slurm/cluster.sh install  # only installs the packages (CI, beside other set-up)
#
# Why each odd choice (learned running it on this machine kind):
# - slurmdbd + MariaDB: without accounting `sacct` fails, and the Snakemake SLURM plugin then
#   never sees a job finish; the test also reads the resources of every job from sacct.
# - Client wrappers on PATH: the plugin's job step strips SLURM_* (SLURM_CONF too) before its
#   inner srun, so the config must be found without SLURM_CONF.
# - slurmctld reaches slurmdbd through the munge socket named by AccountingStoragePass.
# - OverMemoryKill: a step above its --mem is killed, as on a cluster with memory limits, so
#   retries with more memory can be tested.
set -euo pipefail

BASE=${GOCOTRAIN_SLURM_BASE:-/tmp/gocotrain-slurm}
CLUSTER=gocotrain
PARTITION=main
CTLD_PORT=6917 SLURMD_PORT=6918 DBD_PORT=6919 DB_PORT=3317
DB_USER=slurm DB_PASS=gocotrain DB_NAME=gocotrain_acct
export SLURM_CONF=$BASE/etc/slurm.conf
MUNGE_SOCKET=$BASE/munge/munge.socket
MYSQL_SOCKET=$BASE/mysql/mysqld.sock

say() { echo "[slurm-harness] $*"; }
die() { echo "[slurm-harness] ERROR: $*" >&2; exit 1; }

# alive PIDFILE: the daemon in PIDFILE runs (killed daemons linger as zombies here a while)
alive() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]
}

# retry SECONDS WHAT COMMAND...: run COMMAND every half second until it succeeds
retry() {
    local seconds=$1 what=$2 i
    shift 2
    for ((i = 0; i < seconds * 2; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    die "gave up after ${seconds}s waiting for $what (logs: $BASE/log)"
}

install_packages() {
    local wanted=(slurmctld slurmd slurm-client slurmdbd munge mariadb-server-core
        mariadb-client-core) missing=() package
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "no apt-get to install ${missing[*]}"
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

write_configs() {
    local node cpus memory
    node=$(hostname -s)
    cpus=$(/usr/sbin/slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
    memory=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
    cat >"$SLURM_CONF" <<CONF
ClusterName=$CLUSTER
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$BASE/state/ctld
SlurmdSpoolDir=$BASE/state/d
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStoragePass=$MUNGE_SOCKET
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    (
        umask 077
        cat >"$BASE/etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdHost=$node
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$BASE/run/slurmdbd.pid
LogFile=$BASE/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=$DB_NAME
CONF
    )
    local command
    for command in sbatch srun squeue sacct scancel sinfo scontrol sacctmgr; do
        printf '#!/bin/sh\nSLURM_CONF=%s exec /usr/bin/%s "$@"\n' "$SLURM_CONF" "$command" \
            >"$BASE/bin/$command"
        chmod 0755 "$BASE/bin/$command"
    done
    printf 'export SLURM_CONF=%s\nexport PATH=%s/bin:$PATH\n' "$SLURM_CONF" "$BASE" >"$BASE/env.sh"
    echo "$node" >"$BASE/node"
}

start_munge() {
    alive "$BASE/munge/munged.pid" && return 0
    [ -s "$BASE/munge/munge.key" ] || /usr/sbin/mungekey -c -k "$BASE/munge/munge.key"
    chown -R munge:munge "$BASE/munge"
    chmod 0755 "$BASE/munge"
    chmod 0600 "$BASE/munge/munge.key"
    rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
    runuser -u munge -- /usr/sbin/munged --key-file="$BASE/munge/munge.key" \
        --socket="$MUNGE_SOCKET" --pid-file="$BASE/munge/munged.pid" \
        --log-file="$BASE/munge/munged.log" --seed-file="$BASE/munge/munged.seed"
    retry 20 munged sh -c "munge -n -S '$MUNGE_SOCKET' | unmunge -S '$MUNGE_SOCKET'"
}

start_database() {
    # As root: mariadb-server-core alone does not create a mysql user.
    mkdir -p "$BASE/mysql/data"
    if ! alive "$BASE/mysql/mysqld.pid"; then
        if [ ! -d "$BASE/mysql/data/mysql" ]; then
            mariadb-install-db --no-defaults --user=root --datadir="$BASE/mysql/data" \
                --auth-root-authentication-method=socket --skip-test-db \
                >"$BASE/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed"
        fi
        setsid /usr/sbin/mariadbd --no-defaults --user=root --datadir="$BASE/mysql/data" \
            --socket="$MYSQL_SOCKET" --pid-file="$BASE/mysql/mysqld.pid" --port=$DB_PORT \
            --bind-address=127.0.0.1 --log-error="$BASE/log/mariadb.log" \
            --innodb-buffer-pool-size=128M </dev/null >/dev/null 2>&1 &
        retry 60 MariaDB mariadb --no-defaults -S "$MYSQL_SOCKET" -u root -e "SELECT 1"
    fi
    mariadb --no-defaults -S "$MYSQL_SOCKET" -u root -e "
        CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
        CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
        GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
        GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';"
}

start() {
    [ "$(id -u)" -eq 0 ] || die "needs root (to run munge, slurmctld and slurmd)"
    install_packages
    mkdir -p "$BASE"/{etc,bin,run,log,state/ctld,state/d,munge}
    write_configs
    start_munge
    start_database
    if ! alive "$BASE/run/slurmdbd.pid"; then
        /usr/sbin/slurmdbd # reads the slurmdbd.conf beside $SLURM_CONF
        retry 60 slurmdbd timeout 10 /usr/bin/sacctmgr -n list cluster
    fi
    if ! alive "$BASE/run/slurmctld.pid"; then
        /usr/sbin/slurmctld -f "$SLURM_CONF"
        retry 60 slurmctld sh -c "/usr/bin/scontrol ping | grep -q 'is UP'"
    fi
    local node
    node=$(cat "$BASE/node")
    if ! alive "$BASE/run/slurmd.pid"; then
        /usr/sbin/slurmd -f "$SLURM_CONF" -N "$node"
    fi
    if ! retry 20 "node $node" sh -c "/usr/bin/sinfo -h -n $node -o %t | grep -Eq '^(idle|mix|alloc)$'" 2>/dev/null; then
        /usr/bin/scontrol update NodeName="$node" State=RESUME || true
    fi
    retry 30 "node $node to be idle" sh -c "/usr/bin/sinfo -h -n $node -o %t | grep -Eq '^(idle|mix|alloc)$'"
    retry 30 "the cluster in slurmdbd" \
        sh -c "/usr/bin/sacctmgr -n -P list assoc cluster=$CLUSTER user=root format=account | grep -q ."
    say "READY: source $BASE/env.sh (partition $PARTITION, node $node)"
}

stop() {
    local pidfile pid
    for pidfile in "$BASE/run/slurmd.pid" "$BASE/run/slurmctld.pid" "$BASE/run/slurmdbd.pid" \
        "$BASE/mysql/mysqld.pid" "$BASE/munge/munged.pid"; do
        alive "$pidfile" || continue
        pid=$(cat "$pidfile")
        kill "$pid"
        for _ in $(seq 1 40); do alive "$pidfile" || break; sleep 0.25; done
        alive "$pidfile" && kill -9 "$pid"
    done
    say "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
install) install_packages ;;
*) die "usage: $0 start|stop|install" ;;
esac
