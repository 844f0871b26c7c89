# Sourced by the with-*.sh wrappers: runs "$@" as a child, passes INT/TERM/HUP
# on to it, and exits with its status (the wrapper's EXIT trap then cleans up).
#
# CMD runs in the background so a signal reaches the trap at once instead of after
# CMD exits; the trap passes it on. Background jobs of a non-interactive shell
# ignore SIGINT, hence TERM for every signal. `<&0` keeps the caller's stdin, which
# would otherwise be /dev/null for a background job.
run_child() {
  got_signal=""
  forward() {
    got_signal=$1
    kill -TERM "$child" 2>/dev/null || true
  }
  trap 'forward INT' INT
  trap 'forward TERM' TERM
  trap 'forward HUP' HUP

  set +e
  "$@" <&0 &
  child=$!
  while :; do
    got_signal=""
    wait "$child"
    rc=$?
    # wait returns early (status > 128) when a trapped signal arrives; wait again
    # for CMD's own exit status.
    [[ -z $got_signal ]] && break
  done
  child=""
  exit "$rc"
}
