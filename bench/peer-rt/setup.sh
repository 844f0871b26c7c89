#!/usr/bin/env bash
# Installs Request Tracker 5 (Debian packages) and sets up a throw-away instance
# for the benchmarks: SQLite database in WAL mode, loopback only, a benchmark user
# with an auth token, the five opsdesk queues. Then starts it and loads the first
# RT_TICKETS tickets of the same seeded corpus that data_generator writes into
# opsdesk (through REST2, with load_generator).
#
# Usage: bench/peer-rt/setup.sh            (see README.md beside this file)
#
# Requests authenticate with a web session cookie (start.sh logs in). RT 5's auth
# tokens work too ($RT_DIR/token, `Authorization: token ...`), but RT checks a
# token with bcrypt (cost 12) on every request, a quarter of a second of CPU
# each, which would measure bcrypt rather than RT.
# Environment:
#   RT_DIR      instance folder (default /tmp/opsdesk-rt); wiped and recreated
#   RT_PORT     port (default: a free one); kept in $RT_DIR/port
#   RT_TICKETS  corpus tickets to load (default 2000; RT creates ~15 tickets/s)
#   RT_SEED     corpus seed (default 42, as data_generator's default)
#   LOADGEN     the load_generator binary (default build/bench/load_generator)
#
# Writes: $RT_DIR (config, database, logs, token). Everything RT reads comes from
# $RT_DIR through RT_SITE_CONFIG / RT_SITE_CONFIG_DIR, so /etc/request-tracker5 and
# the package's own database stay untouched.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

RT_DIR=${RT_DIR:-/tmp/opsdesk-rt}
RT_TICKETS=${RT_TICKETS:-2000}
RT_SEED=${RT_SEED:-42}
RT_LIB=/usr/share/request-tracker5/lib

pkgs=(request-tracker5 rt5-db-sqlite rt5-standalone sqlite3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "peer-rt: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ -f $RT_DIR/server.pid ]]; then bench/peer-rt/stop.sh || true; fi
rm -rf "$RT_DIR"
mkdir -p "$RT_DIR/RT_SiteConfig.d" "$RT_DIR/log" "$RT_DIR/sessions"
# The benchmark user's password, for the web login that start.sh does to get a
# session cookie.
python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$RT_DIR/password"
chmod 600 "$RT_DIR/password"

if [[ -n ${RT_PORT:-} ]]; then
  port=$RT_PORT
else
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
echo "$port" >"$RT_DIR/port"

cat >"$RT_DIR/RT_SiteConfig.pm" <<EOF
# Benchmark instance written by bench/peer-rt/setup.sh.
Set(\$rtname, 'opsdesk-bench');
Set(\$Organization, 'opsdesk-bench');
Set(\$Timezone, 'UTC');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$RT_DIR/rtdb');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $port);
Set(\$WebPath, '');
Set(\$WebBaseURL, 'http://127.0.0.1:$port');
Set(\$CorrespondAddress, 'rt@opsdesk-bench.invalid');
Set(\$CommentAddress, 'rt-comment@opsdesk-bench.invalid');
# Logs: warnings and worse to stderr (start.sh sends it to \$RT_DIR/log/server.log).
Set(\$LogToSyslog, undef);
Set(\$LogToFile, undef);
Set(\$LogToSTDERR, 'warning');
# Web sessions (the REST2 session cookie, see start.sh) as files in \$RT_DIR.
Set(%WebSessionProperties, Directory => '$RT_DIR/sessions', LockDirectory => '$RT_DIR/sessions',
    Transaction => 1);
# No mail leaves this machine; the notification scrips are disabled below.
Set(\$MailCommand, 'sendmailpipe');
Set(\$SendmailPath, '/bin/true');
1;
EOF

export RT_SITE_CONFIG=$RT_DIR/RT_SiteConfig.pm
export RT_SITE_CONFIG_DIR=$RT_DIR/RT_SiteConfig.d

echo "peer-rt: creating the RT database in $RT_DIR/rtdb" >&2
/usr/sbin/rt-setup-database-5 --action init --skip-create >"$RT_DIR/log/setup-database.log" 2>&1 ||
  /usr/sbin/rt-setup-database-5 --action init >"$RT_DIR/log/setup-database.log" 2>&1 || {
    echo "peer-rt: rt-setup-database failed:" >&2
    cat "$RT_DIR/log/setup-database.log" >&2
    exit 1
  }

# WAL lets RT's ten workers read while one writes, as opsdesk's SQLite engine
# does; journal_mode=WAL is stored in the file, so every connection gets it.
sqlite3 "$RT_DIR/rtdb" 'PRAGMA journal_mode=WAL;' >/dev/null

# User, rights, queues, an auth token; notification scrips off (opsdesk sends no mail
# when a ticket is filed, and there is no mail server here).
perl -I"$RT_LIB" - "$RT_DIR" <<'PERL' >"$RT_DIR/setup-perl.log" 2>&1
use strict;
use warnings;
use RT;
RT::LoadConfig();
RT::Init();
my $dir = shift @ARGV;
my $system = RT->SystemUser;

sub check { my ($ok, $msg) = @_; die "$msg\n" unless $ok; return $ok; }

my $user = RT::User->new($system);
open(my $pw, '<', "$dir/password") or die "$dir/password: $!";
chomp(my $password = <$pw>);
check($user->Create(Name => 'bench', EmailAddress => 'bench@opsdesk.example.com',
                    RealName => 'Bench Agent', Privileged => 1, Password => $password));

# Agents get queue-level work rights through a group, as a real desk would set
# them up (not SuperUser, which would skip RT's ACL checks).
my $group = RT::Group->new($system);
check($group->CreateUserDefinedGroup(Name => 'Agents'));
check($group->AddMember($user->PrincipalId));
for my $right (qw(SeeQueue ShowTicket CreateTicket ModifyTicket ReplyToTicket CommentOnTicket
                  OwnTicket ShowTicketComments SeeCustomField ManageAuthTokens)) {
  check($group->PrincipalObj->GrantRight(Right => $right, Object => RT->System));
}

my $default = RT::Queue->new($system);
$default->Load('General');
for my $name (qw(ingestion query-engine scheduler access-control billing)) {
  my $queue = RT::Queue->new($system);
  check($queue->Create(Name => $name, Description => "Data platform: $name"));
}

my $scrips = RT::Scrips->new($system);
$scrips->UnLimit;
while (my $scrip = $scrips->Next) {
  my $action = $scrip->ActionObj->Name;
  if ($action =~ /^(Notify|Autoreply)/) {
    check($scrip->SetDisabled(1));
    print "disabled scrip: ", $scrip->Description, " ($action)\n";
  }
}

my $token = RT::AuthToken->new($system);
my ($id, $msg, $auth) = $token->Create(Owner => $user->Id, Description => 'opsdesk bench');
die "token: $msg\n" unless $id;
open(my $fh, '>', "$dir/token") or die "$dir/token: $!";
print $fh "$auth\n";
close($fh);
print "token created\n";
PERL
chmod 600 "$RT_DIR/token"

bench/peer-rt/start.sh

# The same corpus tickets opsdesk gets from data_generator (1..RT_TICKETS), with
# their status mapped to RT's lifecycle, so list filters select similar shares.
loadgen=${LOADGEN:-build/bench/load_generator}  # LOADGEN: another build folder's load_generator
if [[ ! -x $loadgen ]]; then
  echo "peer-rt: $loadgen missing; run ./opsdesk.sh build first" >&2
  exit 1
fi
echo "peer-rt: loading $RT_TICKETS corpus tickets through REST2 (10 connections)" >&2
# The Origin header: RT 5.0.3+dfsg-3~deb12u7 refuses REST2 writes authenticated
# by the session cookie unless Origin (or Referer) is RT's own base URL (CSRF check).
"$loadgen" --target rt --port "$port" --cookie "$(cat "$RT_DIR/cookie")" --header "Origin: http://127.0.0.1:$port" \
  --mode create --with-status --connections 10 --requests "$RT_TICKETS" --duration-s 3600 \
  --seed "$RT_SEED" --first-index 1 --label rt-load | tee "$RT_DIR/log/load.log"
echo "$RT_TICKETS" >"$RT_DIR/tickets"
echo "peer-rt: ready at http://127.0.0.1:$port (REST2 under /REST/2.0; session cookie in $RT_DIR/cookie," \
  "auth token in $RT_DIR/token)" >&2
