/**
 * The scripts of a job's sidecar containers, run by `sh -c` in the sidecar image (aws-cli by
 * default): POSIX sh and `aws` only, no jq, awk or sed, so that any image with a shell and the
 * AWS CLI will do. They never write `${Name}` with a bare name: the registrar replaces those in
 * a task definition spec as definition substitutions.
 *
 * Environment (fixed in the task definition unless said otherwise):
 * - `WATERFLOW_BUCKET`: the artifacts bucket; `WATERFLOW_DIR`: the job's working directory;
 *   `WATERFLOW_OUTPUT`: the file the job writes its outputs to;
 * - from the run task's overrides: `WATERFLOW_RUN_ID`, `WATERFLOW_JOB`, and the job's lists below.
 */

/** `<job>/<artifact>=<path>` lines: what `artifactsFrom` brings into the working directory. */
export const ARTIFACTS_FROM_ENV = 'WATERFLOW_ARTIFACTS_FROM';
/** Comma-separated declared output names: the keys of `outputs.json`. */
export const OUTPUTS_ENV = 'WATERFLOW_OUTPUTS';
/** `<artifact>=<path>` lines: the job's artifacts. */
export const ARTIFACTS_ENV = 'WATERFLOW_ARTIFACTS';
/**
 * Comma-separated output names the uploader also writes, verbatim, as their own object
 * `runs/<runId>/<job>/outputs/<key>.json` (`[]` when the job wrote nothing): a JSON array a
 * Distributed Map's ItemReader can read (dynamic matrix).
 */
export const OUTPUT_ARRAYS_ENV = 'WATERFLOW_OUTPUT_ARRAYS';

/**
 * Init: opens the working directory to the job's user (Fargate task storage belongs to root),
 * then copies each `artifactsFrom` artifact from `runs/<runId>/<job>/artifacts/<name>/` to its
 * path in the working directory. An artifact the producer did not leave copies nothing, as locally.
 */
export const INIT_SCRIPT = `set -eu
dir=$WATERFLOW_DIR
mkdir -p "$dir"
chmod 0777 "$dir"
printf '%s\\n' "\${${ARTIFACTS_FROM_ENV}:-}" | while IFS= read -r line; do
  [ -n "$line" ] || continue
  from=\${line%%/*}
  rest=\${line#*/}
  name=\${rest%%=*}
  path=\${rest#*=}
  while :; do case $path in */) path=\${path%/} ;; *) break ;; esac; done
  case $path in */*) parent=\${path%/*} ;; *) parent=. ;; esac
  mkdir -p "$dir/$parent"
  aws s3 cp --recursive --only-show-errors "s3://$WATERFLOW_BUCKET/runs/$WATERFLOW_RUN_ID/$from/artifacts/$name/" "$dir/$parent/"
done
chmod -R a+rwX "$dir"
`;

/**
 * Uploader: reads \`$WATERFLOW_OUTPUT\` as the local runtime does (\`key=value\` lines and
 * \`key<<DELIMITER\` heredocs, the last value of a key wins, an unterminated heredoc's first line
 * is skipped), writes the declared outputs as one JSON object of strings (a declared output the
 * job did not write is ""), the output arrays, and each artifact (a file or a directory) under
 * \`runs/<runId>/<job>/artifacts/<name>/<basename of its path>\`. A missing artifact is a warning.
 */
export const UPLOADER_SCRIPT = `set -eu
LC_ALL=C
export LC_ALL
dir=$WATERFLOW_DIR
prefix=s3://$WATERFLOW_BUCKET/runs/$WATERFLOW_RUN_ID/$WATERFLOW_JOB
tmp=\${TMPDIR:-/tmp}/waterflow-upload.$$
mkdir -p "$tmp"
nl='
'
tab=$(printf '\\t')
cr=$(printf '\\r')
wanted=\${${OUTPUTS_ENV}:-},\${${OUTPUT_ARRAYS_ENV}:-},

store() {
  i=0
  rest=$wanted
  while [ -n "$rest" ]; do
    k=\${rest%%,*}
    rest=\${rest#*,}
    if [ -n "$k" ] && [ "$k" = "$1" ]; then
      eval "v_$i=\\$2"
      return 0
    fi
    i=$((i + 1))
  done
}

value_of() {
  i=0
  rest=$wanted
  value=
  while [ -n "$rest" ]; do
    k=\${rest%%,*}
    rest=\${rest#*,}
    if [ -n "$k" ] && [ "$k" = "$1" ]; then
      eval "value=\\\${v_$i-}"
      return 0
    fi
    i=$((i + 1))
  done
}

parse() {
  heredoc=
  while IFS= read -r line || [ -n "$line" ]; do
    line=\${line%"$cr"}
    if [ -n "$heredoc" ]; then
      if [ "$line" = "$delim" ]; then
        store "$heredoc" "$body"
        heredoc=
      else
        held=$held$line$nl
        if [ -z "$started" ]; then body=$line; started=1; else body=$body$nl$line; fi
      fi
      continue
    fi
    case $line in
      *'<<'*)
        key=\${line%%'<<'*}
        delim=\${line#*'<<'}
        case $key in
          '' | *'='* | *'<'*) ;;
          *)
            if [ -n "$delim" ]; then
              heredoc=$key
              body=
              started=
              held=
              continue
            fi
            ;;
        esac
        ;;
    esac
    case $line in
      ?*=*)
        key=\${line%%=*}
        if [ -n "$key" ]; then store "$key" "\${line#*=}"; fi
        ;;
    esac
  done
  if [ -n "$heredoc" ]; then
    heredoc=
    printf '%s' "$held" > "$tmp/rest"
    parse < "$tmp/rest"
  fi
}

json() {
  s=$1
  case $s in
    *[\\\\\\"[:cntrl:]]*) ;;
    *)
      printf '"%s"' "$s"
      return 0
      ;;
  esac
  out=
  while [ -n "$s" ]; do
    rest=\${s#?}
    c=\${s%"$rest"}
    s=$rest
    case $c in
      \\\\) out=$out'\\\\' ;;
      \\") out=$out'\\"' ;;
      "$nl") out=$out'\\n' ;;
      "$tab") out=$out'\\t' ;;
      "$cr") out=$out'\\r' ;;
      [[:cntrl:]]) out=$out$(printf '\\\\u%04x' "'$c") ;;
      *) out=$out$c ;;
    esac
  done
  printf '"%s"' "$out"
}

if [ -f "$WATERFLOW_OUTPUT" ]; then parse < "$WATERFLOW_OUTPUT"; fi

set -f
IFS=,
if [ -n "\${${OUTPUTS_ENV}:-}" ]; then
  {
    printf '{'
    sep=
    for key in $${OUTPUTS_ENV}; do
      value_of "$key"
      printf '%s%s:%s' "$sep" "$(json "$key")" "$(json "$value")"
      sep=,
    done
    printf '}'
  } > "$tmp/outputs.json"
  aws s3 cp --only-show-errors --content-type application/json "$tmp/outputs.json" "$prefix/outputs.json"
fi
for key in \${${OUTPUT_ARRAYS_ENV}:-}; do
  value_of "$key"
  if [ -z "$value" ]; then value='[]'; fi
  printf '%s' "$value" > "$tmp/array.json"
  aws s3 cp --only-show-errors --content-type application/json "$tmp/array.json" "$prefix/outputs/$key.json"
done
IFS=' '
set +f

printf '%s\\n' "\${${ARTIFACTS_ENV}:-}" | while IFS= read -r line; do
  [ -n "$line" ] || continue
  name=\${line%%=*}
  path=\${line#*=}
  while :; do case $path in */) path=\${path%/} ;; *) break ;; esac; done
  base=\${path##*/}
  if [ -d "$dir/$path" ]; then
    aws s3 cp --recursive --only-show-errors "$dir/$path" "$prefix/artifacts/$name/$base/"
  elif [ -e "$dir/$path" ]; then
    aws s3 cp --only-show-errors "$dir/$path" "$prefix/artifacts/$name/$base"
  else
    echo "waterflow: artifact $name: $path is not in the working directory; nothing uploaded" >&2
  fi
done
`;
