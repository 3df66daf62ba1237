#!/bin/sh
# Build the Docker Compose CLI plugin (client only) from the Go module proxy: build-compose-plugin.sh VERSION OUTPUT
# `go install module@version` refuses modules whose go.mod has replace/exclude directives, as
# compose's does, so the module is downloaded and built inside its own module.
set -eu
version=$1
output=$(realpath -m "$2")
command -v go >/dev/null || { echo "go is required to build the compose plugin" >&2; exit 1; }
module=github.com/docker/compose/v2
source=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$source" ] || { echo "could not download $module@$version" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -R "$source/." "$work"
chmod -R u+w "$work"
mkdir -p "$(dirname "$output")"
cd "$work"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $module/internal.Version=$version" \
	-o "$output.tmp" ./cmd
mv "$output.tmp" "$output"
