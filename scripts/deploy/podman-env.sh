# Sourced by the deployment scripts: podman settings of their own, not the machine's.
# SDFLEET_DEPLOY_WORK: a folder for the scripts' files (default deploy-tests/target/deploy in the repository).
# A containers.conf written there (CONTAINERS_CONF) makes podman use runc (crun fails on a cgroup v1 layout where
# the process's cgroup is not the root one) and lowers the containers' default ulimits below the machine's hard
# limits (podman's defaults, nofile 1048576 and nproc 4194304, are refused where the hard limits are lower).
_sdfleet_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SDFLEET_DEPLOY_WORK="${SDFLEET_DEPLOY_WORK:-$_sdfleet_root/deploy-tests/target/deploy}"
mkdir -p "$SDFLEET_DEPLOY_WORK"
_nofile=$(ulimit -Hn); [ "$_nofile" = unlimited ] && _nofile=1048576; [ "$_nofile" -gt 65536 ] && _nofile=65536
_nproc=$(ulimit -Hu); [ "$_nproc" = unlimited ] && _nproc=65536; [ "$_nproc" -gt 32768 ] && _nproc=32768
_runtime=runc; command -v runc >/dev/null || _runtime=crun
cat > "$SDFLEET_DEPLOY_WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$_nofile:$_nofile", "nproc=$_nproc:$_nproc"]
[engine]
runtime = "$_runtime"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$SDFLEET_DEPLOY_WORK/containers.conf"
unset _nofile _nproc _runtime
