/**
 * A fake GitHub REST API: just the endpoints agent-governance calls, with state
 * (pull requests, labels, comments, check runs) so that what the app writes is
 * what it reads back on the next event. Every request is counted as a read, a
 * write, a 304 (conditional read answered "not modified") or an auth request,
 * and logged with when it arrived and when it was answered (`tally.log`), so the
 * benchmark can tell which requests ran together (bench/waves.js).
 *
 * What it models of GitHub, because the app relies on it:
 * - GitHub's clock: every response has a `date` header (whole seconds), from
 *   `options.now` (default: the real clock). The app trusts a policy text (or its
 *   absence) GitHub confirmed after the repository's last push (`pushed_at` in the
 *   webhook payload), so the repository's `pushed_at` moves on every push the fake
 *   is told of: `setFile`, `setPolicy` (a commit to the default branch), `addPull` (the PR's
 *   branch pushed), `push` (a commit on the PR), `merge` (the merge commit).
 *   `pushedAt(owner, repo)` gives it for the payloads.
 * - A PR's commits, oldest first, each with `parents`: `push` appends a commit
 *   whose parent is the previous head and moves `head.sha` and the PR's `commits`
 *   count (the app checks the head is the last commit listed).
 * - Latency: `latencyMs` (option, or `setLatency`) is waited in the HTTP handler
 *   before each request is answered, as a round trip to GitHub would.
 * - Files on the default branch (`setFile`: the policy, CODEOWNERS), read through the contents API with
 *   conditional reads (ETag, 304); the open PRs listed newest first; pagination with `Link`.
 *
 * `handle()` is a plain function (request in, response out), served over real
 * HTTP on loopback by `listen()` for the benchmark, and reused by the property
 * tests through nock. Plain ESM JavaScript, so `node bench/run.js` needs no build
 * step of its own; types for the tests are in fake-github.d.ts.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export const POLICY_PATH = ".github/agent-governance.yml";
export const APP_BOT = { login: "agent-governance[bot]", id: 1, type: "Bot" };

const json = (status, body, headers = {}) => ({ status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body });
const notFound = () => json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
const etagOf = (text) => `"${createHash("sha1").update(text).digest("hex")}"`;

/** A new request tally. */
export function emptyTally() {
  return { reads: 0, writes: 0, notModified: 0, auth: 0, errors: 0, requests: [], log: [] };
}

/**
 * The fake. Options:
 * - `pullTemplate`: the REST pull request object new PRs are made from (number, head and labels replaced).
 * - `autoPull(owner, repo, number)`: PR data for a PR nobody registered (property tests answer anything); default 404.
 * - `permission(login)`: a user's repository permission; default `write`.
 * - `teams`: "org/slug" → member logins.
 * - `record`: keep the "METHOD route status" list and the timed log in tallies (default true).
 * - `now()`: GitHub's clock in ms, for `date` headers and the times GitHub sets (default `Date.now`).
 * - `latencyMs`: wait this long before answering each HTTP request (default 0).
 */
export function createFakeGitHub(options = {}) {
  const repos = new Map();
  const checkRuns = new Map();
  const commentsById = new Map();
  const teams = options.teams ?? {};
  const permission = options.permission ?? (() => "write");
  const record = options.record ?? true;
  const now = options.now ?? Date.now;
  const iso = (ms = now()) => new Date(ms).toISOString();
  let latencyMs = options.latencyMs ?? 0;
  let nextId = 1000;
  let tally = emptyTally();
  const total = emptyTally();
  const writeListeners = [];

  function repoState(owner, repo) {
    const key = `${owner}/${repo}`.toLowerCase();
    let r = repos.get(key);
    if (!r) {
      r = { owner, repo, files: new Map(), labels: new Set(), pulls: new Map(), pushedAt: now() };
      repos.set(key, r);
    }
    return r;
  }

  function pullState(owner, repo, number) {
    const r = repoState(owner, repo);
    let p = r.pulls.get(number);
    if (!p && options.autoPull) {
      const made = options.autoPull(owner, repo, number);
      if (made) p = addPull(owner, repo, made);
    }
    return p ?? null;
  }

  /** Registers a PR: `pull` fields over the template, plus its files, commits, reviews and comments. */
  function addPull(owner, repo, { pull = {}, files = [], commits = [], reviews = [], comments = [] }) {
    const base = options.pullTemplate ?? {};
    const p = {
      pull: {
        ...base,
        ...pull,
        head: { ...(base.head ?? {}), ...(pull.head ?? {}) },
        labels: [...(pull.labels ?? [])],
        requested_reviewers: [...(pull.requested_reviewers ?? [])],
        requested_teams: [...(pull.requested_teams ?? [])],
      },
      files,
      commits,
      reviews,
      comments: [],
    };
    for (const c of comments) addComment(owner, repo, p.pull.number, c, p);
    const r = repoState(owner, repo);
    r.pulls.set(p.pull.number, p);
    // The PR's branch was pushed just before it was opened.
    r.pushedAt = now();
    return p;
  }

  /**
   * A push to the PR's branch: a commit whose parent is the current head becomes the head
   * (listed last), and the repository's `pushed_at` moves. `commit` is a listed commit without `parents`.
   */
  function push(owner, repo, number, commit) {
    const p = pullState(owner, repo, number);
    if (!p) throw new Error(`push: no PR ${owner}/${repo}#${number}`);
    const before = p.pull.head?.sha;
    p.commits.push({ ...commit, parents: before ? [{ sha: before }] : (commit.parents ?? []) });
    p.pull.head = { ...p.pull.head, sha: commit.sha };
    p.pull.commits = p.commits.length;
    p.pull.updated_at = iso();
    repoState(owner, repo).pushedAt = now();
    return p;
  }

  /** The PR is merged: closed, `merged`, and the merge commit pushed to the base branch. */
  function merge(owner, repo, number) {
    const p = pullState(owner, repo, number);
    if (!p) throw new Error(`merge: no PR ${owner}/${repo}#${number}`);
    const at = iso();
    Object.assign(p.pull, { state: "closed", merged: true, merged_at: at, closed_at: at, updated_at: at, merge_commit_sha: createHash("sha1").update(`merge ${owner}/${repo}#${number}`).digest("hex") });
    repoState(owner, repo).pushedAt = now();
    return p;
  }

  /** A check run written by another app (CI), listed on its commit. */
  function addCheckRun(owner, repo, run) {
    const r = repoState(owner, repo);
    const c = { id: nextId++, repo: r, status: "completed", conclusion: "success", started_at: iso(), output: { title: null, summary: null, text: null, annotations_count: 0 }, app: { id: 999, slug: "ci" }, ...run };
    checkRuns.set(c.id, c);
    const { repo: _r, ...out } = c;
    return out;
  }

  function addComment(owner, repo, number, comment, state = pullState(owner, repo, number)) {
    const c = { id: nextId++, created_at: iso(), user: APP_BOT, ...comment };
    c.updated_at ??= c.created_at;
    state.comments.push(c);
    commentsById.set(c.id, { owner, repo, number, comment: c });
    return c;
  }

  function dropPull(owner, repo, number) {
    const r = repoState(owner, repo);
    const p = r.pulls.get(number);
    if (!p) return;
    for (const c of p.comments) commentsById.delete(c.id);
    for (const [id, run] of checkRuns) if (run.repo === r && p.pull.head?.sha === run.head_sha) checkRuns.delete(id);
    r.pulls.delete(number);
  }

  /** A file on the default branch (null: none), committed now: the repository's `pushed_at` moves. */
  function setFile(owner, repo, path, text) {
    const r = repoState(owner, repo);
    const file = text === null ? null : { text, etag: etagOf(text) };
    if (r.files.get(path)?.etag !== file?.etag) r.pushedAt = now();
    if (file) r.files.set(path, file);
    else r.files.delete(path);
  }

  /** The policy file on the default branch (null: none). */
  const setPolicy = (owner, repo, text) => setFile(owner, repo, POLICY_PATH, text);

  /** Splits a list into pages the way GitHub does, with a `Link` header naming the next and last pages. */
  function page(list, url, origin) {
    const perPage = Math.min(Number(url.searchParams.get("per_page")) || 30, 100);
    const n = Math.max(Number(url.searchParams.get("page")) || 1, 1);
    const items = list.slice((n - 1) * perPage, n * perPage);
    const headers = {};
    if (n * perPage < list.length) {
      const at = (p) => {
        const u = new URL(url.pathname + url.search, origin);
        u.searchParams.set("page", String(p));
        u.searchParams.set("per_page", String(perPage));
        return u;
      };
      headers.link = `<${at(n + 1)}>; rel="next", <${at(Math.ceil(list.length / perPage))}>; rel="last"`;
    }
    return json(200, items, headers);
  }

  const routes = [];
  const route = (method, pattern, fn) => routes.push({ method, re: new RegExp(`^${pattern}$`), fn });
  const R = "/repos/([^/]+)/([^/]+)";

  route("POST", "/app/installations/(\\d+)/access_tokens", () =>
    json(201, { token: "ghs_bench_installation_token", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" }),
  );

  route("GET", `${R}/contents/(.+)`, ({ m, headers }) => {
    const path = decodeURIComponent(m[3]);
    const file = repoState(m[1], m[2]).files.get(path);
    if (!file) return notFound();
    if (headers["if-none-match"] === file.etag) return { status: 304, headers: { etag: file.etag }, body: null };
    return json(200, { type: "file", encoding: "base64", path, name: path.split("/").pop(), content: Buffer.from(file.text).toString("base64") }, { etag: file.etag });
  });

  // The open (or closed, or all) PRs, newest first: GitHub's default order (sort=created, direction=desc).
  route("GET", `${R}/pulls`, ({ m, url, origin }) => {
    const state = url.searchParams.get("state") ?? "open";
    const list = [...repoState(m[1], m[2]).pulls.values()]
      .map((p) => p.pull)
      .filter((p) => state === "all" || (p.state ?? "open") === state)
      .sort((a, b) => Date.parse(b.created_at ?? 0) - Date.parse(a.created_at ?? 0) || b.number - a.number);
    return page(list, url, origin);
  });

  route("GET", `${R}/pulls/(\\d+)`, ({ m }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    return p ? json(200, p.pull) : notFound();
  });

  for (const list of ["files", "commits", "reviews"]) {
    route("GET", `${R}/pulls/(\\d+)/${list}`, ({ m, url, origin }) => {
      const p = pullState(m[1], m[2], Number(m[3]));
      return p ? page(p[list], url, origin) : notFound();
    });
  }

  route("GET", `${R}/issues/(\\d+)/timeline`, ({ m, url, origin }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    return p ? page(p.timeline ?? [], url, origin) : notFound();
  });

  route("GET", `${R}/issues/(\\d+)/comments`, ({ m, url, origin }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    return p ? page(p.comments, url, origin) : notFound();
  });

  route("POST", `${R}/issues/(\\d+)/comments`, ({ m, body }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    if (!p) return notFound();
    // Written by the app: GitHub marks an app's comments with the app (id 123, as in bench/app.js).
    return json(201, addComment(m[1], m[2], Number(m[3]), { body: String(body?.body ?? ""), performed_via_github_app: { id: 123, slug: "agent-governance" } }, p));
  });

  route("PATCH", `${R}/issues/comments/(\\d+)`, ({ m, body }) => {
    const found = commentsById.get(Number(m[3]));
    if (!found) return notFound();
    found.comment.body = String(body?.body ?? "");
    found.comment.updated_at = iso();
    return json(200, found.comment);
  });

  route("DELETE", `${R}/issues/comments/(\\d+)`, ({ m }) => {
    const found = commentsById.get(Number(m[3]));
    if (!found) return notFound();
    commentsById.delete(found.comment.id);
    const p = pullState(found.owner, found.repo, found.number);
    if (p) p.comments = p.comments.filter((c) => c.id !== found.comment.id);
    return { status: 204, headers: {}, body: null };
  });

  route("POST", `${R}/issues/comments/(\\d+)/reactions`, ({ body }) => json(201, { id: nextId++, content: body?.content, user: APP_BOT }));

  route("POST", `${R}/labels`, ({ m, body }) => {
    const r = repoState(m[1], m[2]);
    const name = String(body?.name ?? "");
    if (r.labels.has(name.toLowerCase())) return json(422, { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] });
    r.labels.add(name.toLowerCase());
    return json(201, { name, color: body?.color });
  });

  route("POST", `${R}/issues/(\\d+)/labels`, ({ m, body }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    if (!p) return notFound();
    const r = repoState(m[1], m[2]);
    const names = Array.isArray(body) ? body : (body?.labels ?? []);
    for (const raw of names) {
      const name = String(typeof raw === "object" && raw ? raw.name : raw);
      r.labels.add(name.toLowerCase());
      if (!p.pull.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) p.pull.labels.push({ name });
    }
    return json(200, p.pull.labels);
  });

  route("DELETE", `${R}/issues/(\\d+)/labels/(.+)`, ({ m }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    const name = decodeURIComponent(m[4]).toLowerCase();
    if (!p || !p.pull.labels.some((l) => l.name.toLowerCase() === name)) return json(404, { message: "Label does not exist" });
    p.pull.labels = p.pull.labels.filter((l) => l.name.toLowerCase() !== name);
    return json(200, p.pull.labels);
  });

  route("POST", `${R}/pulls/(\\d+)/requested_reviewers`, ({ m, body }) => {
    const p = pullState(m[1], m[2], Number(m[3]));
    if (!p) return notFound();
    for (const login of body?.reviewers ?? []) if (!p.pull.requested_reviewers.some((u) => u.login === login)) p.pull.requested_reviewers.push({ login, type: "User" });
    for (const slug of body?.team_reviewers ?? []) if (!p.pull.requested_teams.some((t) => t.slug === slug)) p.pull.requested_teams.push({ slug, name: slug });
    return json(201, p.pull);
  });

  route("GET", `${R}/collaborators/([^/]+)/permission`, ({ m }) => {
    const login = decodeURIComponent(m[3]);
    const role = permission(login);
    if (role === null) return notFound();
    const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    return json(200, { permission: legacy, role_name: role, user: { login, type: "User" } });
  });

  route("GET", "/orgs/([^/]+)/teams/([^/]+)/members", ({ m, url, origin }) => {
    const members = teams[`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase()];
    return members ? page(members.map((login) => ({ login, type: "User" })), url, origin) : notFound();
  });

  route("GET", `${R}/commits/([^/]+)/check-runs`, ({ m, url, origin }) => {
    const r = repoState(m[1], m[2]);
    const name = url.searchParams.get("check_name");
    const runs = [...checkRuns.values()].filter((c) => c.repo === r && c.head_sha === m[3] && (!name || c.name === name)).reverse().map(({ repo: _r, ...run }) => run);
    const res = page(runs, url, origin);
    return { ...res, body: { total_count: runs.length, check_runs: res.body } };
  });

  route("POST", `${R}/check-runs`, ({ m, body }) => {
    const run = {
      id: nextId++,
      repo: repoState(m[1], m[2]),
      name: body?.name,
      head_sha: body?.head_sha,
      status: body?.conclusion ? "completed" : (body?.status ?? "queued"),
      conclusion: body?.conclusion ?? null,
      details_url: body?.details_url ?? null,
      started_at: body?.started_at ?? iso(),
      output: { title: body?.output?.title ?? null, summary: body?.output?.summary ?? null, text: body?.output?.text ?? null, annotations_count: body?.output?.annotations?.length ?? 0 },
      app: { id: 123, slug: "agent-governance" },
    };
    checkRuns.set(run.id, run);
    const { repo: _r, ...out } = run;
    return json(201, out);
  });

  route("PATCH", `${R}/check-runs/(\\d+)`, ({ m, body }) => {
    const run = checkRuns.get(Number(m[3]));
    if (!run) return notFound();
    if (body?.conclusion) Object.assign(run, { status: "completed", conclusion: body.conclusion });
    if (body?.output) {
      run.output.title = body.output.title ?? run.output.title;
      run.output.summary = body.output.summary ?? run.output.summary;
      run.output.text = body.output.text ?? run.output.text;
      run.output.annotations_count += body.output.annotations?.length ?? 0;
    }
    const { repo: _r, ...out } = run;
    return json(200, out);
  });

  route("GET", `${R}/commits/([^/]+)/statuses`, () => json(200, []));
  route("GET", `${R}/commits/([^/]+)/pulls`, ({ m }) => {
    const r = repoState(m[1], m[2]);
    return json(200, [...r.pulls.values()].filter((p) => p.pull.head?.sha === m[3]).map((p) => p.pull));
  });

  /** Answers one request. `url` is a path with query; `headers` have lower-case names; `body` is parsed JSON or undefined. */
  function handle(req) {
    const { res, entry } = answer(req);
    if (entry) entry.end = entry.start;
    return res;
  }

  /** `handle`, plus the log entry of the request (its `end` set by the caller, when the answer is sent). */
  function answer({ method, url: rawUrl, headers = {}, body, origin = "http://127.0.0.1", start = performance.now() }) {
    const url = new URL(rawUrl, origin);
    let res = null;
    for (const r of routes) {
      const m = r.method === method ? r.re.exec(url.pathname) : null;
      if (m) {
        res = r.fn({ m, url, headers, body, origin });
        break;
      }
    }
    res ??= notFound();
    // GitHub dates every response (RFC 7231, whole seconds): the app compares it with `pushed_at`.
    res = { ...res, headers: { date: new Date(now()).toUTCString(), ...res.headers } };
    const entry = count(method, url.pathname, res.status, body, start);
    return { res, entry };
  }

  function count(method, path, status, body, start) {
    const kind = path.endsWith("/access_tokens") ? "auth" : status === 304 ? "notModified" : method === "GET" ? "reads" : "writes";
    for (const t of [tally, total]) {
      t[kind]++;
      if (status >= 400 && kind !== "auth") t.errors++;
    }
    let entry = null;
    if (record) {
      tally.requests.push(`${method} ${path} ${status}`);
      entry = { method, path, status, kind, start, end: start };
      tally.log.push(entry);
    }
    if (kind === "writes") for (const fn of writeListeners) fn({ method, path, status, body });
    return entry;
  }

  /** Serves `handle` over HTTP on 127.0.0.1 (an ephemeral port unless given), `latencyMs` after each request arrives. */
  function listen(port = 0) {
    const server = createServer((req, res) => {
      const start = performance.now();
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const reply = () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          const { res: out, entry } = answer({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body, origin: `http://${req.headers.host}`, start });
          const payload = out.body === null || out.body === undefined ? "" : JSON.stringify(out.body);
          res.writeHead(out.status, payload ? { ...out.headers, "content-length": Buffer.byteLength(payload) } : out.headers);
          res.end(payload);
          if (entry) entry.end = performance.now();
        };
        if (latencyMs > 0) setTimeout(reply, latencyMs);
        else reply();
      });
    });
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
  }

  return {
    handle,
    listen,
    addPull,
    dropPull,
    addComment,
    addCheckRun,
    setPolicy,
    setFile,
    push,
    merge,
    /** A push to another branch of the repository (a merge queue's branch, say): only `pushed_at` moves. */
    pushBranch: (owner, repo) => {
      repoState(owner, repo).pushedAt = now();
    },
    /** The repository's last push (ISO, whole seconds, as in webhook payloads). */
    pushedAt: (owner, repo) => `${iso(repoState(owner, repo).pushedAt).slice(0, 19)}Z`,
    /** Sets the wait before each HTTP request is answered (ms). */
    setLatency: (ms) => {
      latencyMs = ms;
    },
    pull: (owner, repo, number) => repoState(owner, repo).pulls.get(number) ?? null,
    checkRuns: (owner, repo) => {
      const r = repoState(owner, repo);
      return [...checkRuns.values()].filter((c) => c.repo === r);
    },
    /** Calls `fn` on every write request (the load generator watches for check runs). */
    onWrite: (fn) => {
      writeListeners.push(fn);
      return () => writeListeners.splice(writeListeners.indexOf(fn), 1);
    },
    /** Starts a new tally and returns the previous one. */
    takeTally: () => {
      const t = tally;
      tally = emptyTally();
      return t;
    },
    total: () => ({ ...total, requests: undefined, log: undefined }),
    get size() {
      let n = 0;
      for (const r of repos.values()) n += r.pulls.size;
      return n;
    },
  };
}
