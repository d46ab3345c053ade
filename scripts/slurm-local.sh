#!/usr/bin/env bash
# A single-node Slurm cluster in a folder of its own, from Debian's slurm-wlm and munge: a
# munge daemon with its own key and socket, slurmctld and slurmd on free local ports, state,
# spool, logs and pid files all inside the folder. Nothing in /etc is read or written, so it
# can run next to a system Slurm or another copy of itself. For tests and for trying the sbatch
# templates (templates/slurm/) on one machine.
#
#   scripts/slurm-local.sh start DIR   start (DIR is created); prints `export SLURM_CONF=...`
#   scripts/slurm-local.sh stop DIR    stop every daemon started in DIR
#
# Client commands (sbatch, squeue, scontrol) reach this cluster through SLURM_CONF=DIR/slurm.conf.
# Runs as root (the daemons and the jobs run as the calling user).
#
# SLURM_LOCAL_CPUS=N declares N CPUs whatever the machine has (slurmd's config_overrides): Slurm's
# main scheduler starts waiting jobs only every few seconds, so a test that wants a whole job
# array to start at once declares a CPU per task.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ "$#" -eq 2 ] || usage
command=$1
dir=$2

# A free TCP port on 127.0.0.1, from Node (which this project needs anyway).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Waits up to $1 seconds for "$2..." to succeed.
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.2
  done
}

stop_pid_file() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

start() {
  for tool in munged mungekey slurmctld slurmd scontrol sinfo; do
    command -v "$tool" >/dev/null || { echo "slurm-local: $tool is missing: apt-get install slurm-wlm munge" >&2; exit 3; }
  done
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # munged refuses directories others may write to.
  chmod 700 "$dir"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"

  mungekey --create --keyfile="$dir/munge/munge.key" --force
  chmod 400 "$dir/munge/munge.key"
  munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" --force
  wait_for 10 test -S "$dir/munge/munge.socket" || { echo "slurm-local: munged did not start (see $dir/log/munged.log)" >&2; exit 1; }

  local user cpus memory ctld_port slurmd_port
  user=$(id -un)
  cpus=${SLURM_LOCAL_CPUS:-$(nproc)}
  # Slurm refuses a node with less memory than it declares: declare a little less than free.
  memory=$(awk '/MemAvailable/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm-local.sh: one node, no accounting, no cgroups.
ClusterName=migration-lab
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
# Finished jobs stay visible to scontrol for 10 minutes (there is no accounting database).
MinJobAge=600
KillWait=5
MaxArraySize=1001
$([ "$cpus" = "$(nproc)" ] || echo "SlurmdParameters=config_overrides")
NodeName=local NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=local Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF"
  wait_for 30 scontrol ping || { echo "slurm-local: slurmctld did not answer (see $dir/log/slurmctld.log)" >&2; exit 1; }
  slurmd -f "$SLURM_CONF" -N local
  wait_for 30 sh -c 'sinfo -h -N -o %T | grep -q idle' || { echo "slurm-local: the node did not come up (see $dir/log/slurmd.log)" >&2; exit 1; }
  echo "export SLURM_CONF=$SLURM_CONF"
}

stop() {
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  stop_pid_file "$dir/munge/munged.pid"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
