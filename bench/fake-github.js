/**
 * A fake GitHub REST API: just the endpoints agent-governance calls, with state
 * (pull requests, labels, comments, check runs) so that what the app writes is
 * what it reads back on the next event. Every request is counted as a read, a
 * write, a 304 (conditional read answered "not modified") or an auth request.
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
  return { reads: 0, writes: 0, notModified: 0, auth: 0, errors: 0, requests: [] };
}

/**
 * The fake. Options:
 * - `pullTemplate`: the REST pull request object new PRs are made from (number, head and labels replaced).
 * - `autoPull(owner, repo, number)`: PR data for a PR nobody registered (property tests answer anything); default 404.
 * - `permission(login)`: a user's repository permission; default `write`.
 * - `teams`: "org/slug" → member logins.
 * - `record`: keep the "METHOD route status" list in tallies (default true).
 */
export function createFakeGitHub(options = {}) {
  const repos = new Map();
  const checkRuns = new Map();
  const commentsById = new Map();
  const teams = options.teams ?? {};
  const permission = options.permission ?? (() => "write");
  const record = options.record ?? true;
  let nextId = 1000;
  let tally = emptyTally();
  const total = emptyTally();
  const writeListeners = [];

  function repoState(owner, repo) {
    const key = `${owner}/${repo}`.toLowerCase();
    let r = repos.get(key);
    if (!r) {
      r = { owner, repo, policy: null, labels: new Set(), pulls: new Map() };
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
    repoState(owner, repo).pulls.set(p.pull.number, p);
    return p;
  }

  function addComment(owner, repo, number, comment, state = pullState(owner, repo, number)) {
    const c = { id: nextId++, created_at: new Date().toISOString(), user: APP_BOT, ...comment };
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

  function setPolicy(owner, repo, text) {
    repoState(owner, repo).policy = text === null ? null : { text, etag: etagOf(text) };
  }

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
    const r = repoState(m[1], m[2]);
    if (path !== POLICY_PATH || !r.policy) return notFound();
    if (headers["if-none-match"] === r.policy.etag) return { status: 304, headers: { etag: r.policy.etag }, body: null };
    return json(
      200,
      { type: "file", encoding: "base64", path, name: path.split("/").pop(), content: Buffer.from(r.policy.text).toString("base64") },
      { etag: r.policy.etag },
    );
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
    found.comment.updated_at = new Date().toISOString();
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
      started_at: body?.started_at ?? new Date().toISOString(),
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
  function handle({ method, url: rawUrl, headers = {}, body, origin = "http://127.0.0.1" }) {
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
    count(method, url.pathname, res.status, body);
    return res;
  }

  function count(method, path, status, body) {
    const kind = path.endsWith("/access_tokens") ? "auth" : status === 304 ? "notModified" : method === "GET" ? "reads" : "writes";
    for (const t of [tally, total]) {
      t[kind]++;
      if (status >= 400 && kind !== "auth") t.errors++;
    }
    if (record) tally.requests.push(`${method} ${path} ${status}`);
    if (kind === "writes") for (const fn of writeListeners) fn({ method, path, status, body });
  }

  /** Serves `handle` over HTTP on 127.0.0.1 (an ephemeral port unless given). */
  function listen(port = 0) {
    const server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        const out = handle({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body, origin: `http://${req.headers.host}` });
        const payload = out.body === null || out.body === undefined ? "" : JSON.stringify(out.body);
        res.writeHead(out.status, payload ? { ...out.headers, "content-length": Buffer.byteLength(payload) } : out.headers);
        res.end(payload);
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
    setPolicy,
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
    total: () => ({ ...total, requests: undefined }),
    get size() {
      let n = 0;
      for (const r of repos.values()) n += r.pulls.size;
      return n;
    },
  };
}
