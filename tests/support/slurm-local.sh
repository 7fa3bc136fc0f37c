#!/bin/sh
# A throw-away single-node Slurm on localhost for tests: munged and slurmctld/slurmd with a minimal slurm.conf,
# everything (keys, sockets, state, logs) under DIR. Debian packages slurmctld, slurmd, slurm-client, munge.
#   slurm-local.sh start DIR   start; prints the export line for SLURM_CONF; exit 3 (with the reason) when Slurm
#                              cannot start here (missing packages, not root, node never ready)
#   slurm-local.sh stop DIR    stop the daemons started by `start` (by their pid files)
set -u
cmd=$1
dir=$2
stop() {
    for p in slurmd slurmctld munged; do
        if [ -f "$dir/$p.pid" ]; then
            pid=$(cat "$dir/$p.pid")
            kill "$pid" 2>/dev/null
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null
            rm -f "$dir/$p.pid"
        fi
    done
}
skip() { echo "slurm-local: $*"; stop; exit 3; }
if [ "$cmd" = stop ]; then stop; exit 0; fi
for b in munged slurmctld slurmd sbatch sinfo; do
    command -v $b >/dev/null 2>&1 || skip "$b not installed (Debian packages munge, slurmctld, slurmd, slurm-client)"
done
[ "$(id -u)" = 0 ] || skip "slurmd needs root"
mkdir -p "$dir/state" "$dir/spool" || skip "cannot create $dir"
dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$dir/munge.key"
chmod 700 "$dir"
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" || skip "munged did not start: $(tail -3 "$dir/munged.log" 2>/dev/null)"
host=$(hostname -s)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cpus=$(nproc)
port=$((20000 + $$ % 20000))
cat > "$dir/slurm.conf" <<CONF
ClusterName=y90test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start: $(tail -3 "$dir/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" || skip "slurmd did not start: $(tail -3 "$dir/slurmd.log" 2>/dev/null)"
i=0
while [ $i -lt 60 ]; do
    state=$(sinfo -h -o %T 2>/dev/null | head -1)
    case "$state" in idle*) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
    sleep 0.5
    i=$((i + 1))
done
skip "the node did not become idle in 30 s (state '$state'): $(tail -3 "$dir/slurmd.log" 2>/dev/null)"
