/** Types for bench/fake-github.js, used by the property tests through nock. */
type Json = Record<string, unknown>;

export declare const POLICY_PATH: string;
export declare const APP_BOT: { login: string; id: number; type: string };

export interface FakeRequest {
  method: string;
  /** Path with query string. */
  url: string;
  /** Lower-case header names. */
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
  origin?: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** One request as the fake saw it: `start` when it arrived, `end` when it was answered (performance.now() ms). */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  kind: "reads" | "writes" | "notModified" | "auth";
  start: number;
  end: number;
}

export interface Tally {
  reads: number;
  writes: number;
  notModified: number;
  auth: number;
  errors: number;
  requests: string[];
  log: LoggedRequest[];
}

export interface PullData {
  pull?: Json;
  files?: Json[];
  commits?: Json[];
  reviews?: Json[];
  comments?: Json[];
}

export interface PullState {
  pull: Json & { number: number; head: Json & { sha?: string }; labels: { name: string }[] };
  files: Json[];
  commits: Json[];
  reviews: Json[];
  comments: Json[];
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: null; annotations_count: number };
}

export interface FakeGitHubOptions {
  pullTemplate?: Json;
  autoPull?: (owner: string, repo: string, number: number) => PullData | null;
  permission?: (login: string) => string | null;
  teams?: Record<string, string[]>;
  record?: boolean;
  /** GitHub's clock (ms) for `date` headers and the times GitHub sets; default Date.now. */
  now?: () => number;
  /** Wait before answering each HTTP request (ms); default 0. */
  latencyMs?: number;
}

export interface FakeGitHub {
  handle(req: FakeRequest): FakeResponse;
  listen(port?: number): Promise<import("node:http").Server>;
  addPull(owner: string, repo: string, data: PullData): PullState;
  dropPull(owner: string, repo: string, number: number): void;
  addComment(owner: string, repo: string, number: number, comment: Json): Json & { id: number };
  addCheckRun(owner: string, repo: string, run: Json & { name: string; head_sha: string }): CheckRun;
  setPolicy(owner: string, repo: string, text: string | null): void;
  /** A file on the default branch (null: deleted); the repository's `pushed_at` moves when it changes. */
  setFile(owner: string, repo: string, path: string, text: string | null): void;
  push(owner: string, repo: string, number: number, commit: Json & { sha: string }): PullState;
  merge(owner: string, repo: string, number: number): PullState;
  pushedAt(owner: string, repo: string): string;
  pushBranch(owner: string, repo: string): void;
  setLatency(ms: number): void;
  pull(owner: string, repo: string, number: number): PullState | null;
  checkRuns(owner: string, repo: string): CheckRun[];
  onWrite(fn: (w: { method: string; path: string; status: number; body: unknown }) => void): () => void;
  takeTally(): Tally;
  total(): Omit<Tally, "requests" | "log">;
  readonly size: number;
}

export declare function emptyTally(): Tally;
export declare function createFakeGitHub(options?: FakeGitHubOptions): FakeGitHub;
