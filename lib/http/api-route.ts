import { randomUUID } from "node:crypto";
import { type Principal, principalFromApiToken, principalFromUserId } from "@/lib/accounts/principal";
import type { Operation, OperationInput } from "@/lib/api/operation";
import { isUnavailable } from "@/lib/db-errors";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { AppError, notFound, parseOrThrow } from "@/lib/errors";
import { type Loans, uploadBuffers } from "@/lib/memory/buffer-pool";
import { idempotencyKeyOf, idempotently, requestFingerprint } from "./idempotency";
import { ApiError, appErrorResponse, problemOf, problemResponse } from "./problem";
import { countRequest } from "./rate-limit";
import { readJson } from "./read-json";
import { readMultipart } from "./read-upload";
import { securityHeaders } from "./security-headers";
import { sessionClaims } from "./session";

/**
 * Authentication (Bearer token or session cookie, checked against the database on every
 * request), cross-site protection for cookie requests, and mapping of every error to
 * application/problem+json, for the routes of the operation registry.
 */
type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The origin named by the Host header, if any; by a proxy's X-Forwarded-Host/-Proto only with
 * TRUST_PROXY=true (without it, any client could set them and rewrite every URL we answer).
 */
function headerOrigin(headers: Headers, requestUrl?: string): string | null {
  const trusted = env().TRUST_PROXY;
  const host = (trusted ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined) || headers.get("host");
  if (!host) return null;
  const proto =
    (trusted ? headers.get("x-forwarded-proto")?.split(",")[0]?.trim() : undefined) ||
    (requestUrl ? new URL(requestUrl).protocol.replace(":", "") : "http");
  return `${proto}://${host}`;
}

/**
 * The origin clients used: PUBLIC_URL if set, else the Host (or, with TRUST_PROXY, the proxy's X-Forwarded-Host) header.
 * Not request.url: Next builds that from the server's own bind address (0.0.0.0 in a container).
 */
export function originOf(headers: Headers, requestUrl?: string): string {
  const configured = env().PUBLIC_URL;
  if (configured) return configured.replace(/\/$/, "");
  return headerOrigin(headers, requestUrl) ?? new URL(requestUrl ?? "http://localhost:3000").origin;
}

const baseUrlOf = (request: Request) => originOf(request.headers, request.url);

/** Cookies ride along on cross-site requests; an Origin from elsewhere must not act with them. */
function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  const publicUrl = env().PUBLIC_URL;
  const allowed = [
    new URL(request.url).origin,
    publicUrl && new URL(publicUrl).origin,
    headerOrigin(request.headers, request.url),
  ];
  if (!origin || !allowed.includes(origin)) {
    throw new ApiError(
      403,
      "Cross-site request refused: a session-authenticated change must come from this site (Origin header).",
    );
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined without one or when malformed. */
function bearerTokenOf(request: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

async function authenticate(request: Request): Promise<Principal> {
  if (request.headers.has("authorization")) {
    const token = bearerTokenOf(request);
    const principal = token ? await principalFromApiToken(token) : null;
    if (!principal) {
      throw new ApiError(401, "The API token is invalid, revoked, or its user is deactivated.", undefined, {
        "WWW-Authenticate": 'Bearer error="invalid_token"',
      });
    }
    return principal;
  }
  const session = await sessionClaims(request, env().AUTH_SECRET);
  if (session) {
    if (!SAFE_METHODS.has(request.method)) assertSameOrigin(request);
    const principal = await principalFromUserId(session.userId, session.authTime);
    if (principal) return principal;
  }
  throw new ApiError(401, "Authentication required: send Authorization: Bearer <token> or sign in.", undefined, {
    "WWW-Authenticate": "Bearer",
  });
}

function errorResponse(error: unknown, requestId?: string): Response {
  if (error instanceof AppError) return appErrorResponse(error);
  if (isUnavailable(error)) {
    logger.error({ err: error, requestId }, "dependency unavailable");
    return problemResponse(
      problemOf(503, "A backing service (database or storage) is unavailable; try again shortly."),
      {
        "Retry-After": "5",
      },
    );
  }
  logger.error({ err: error, requestId }, "unhandled error");
  return problemResponse(problemOf(500, `Something went wrong on our side (request ${requestId ?? "unknown"}).`));
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** An expiring link's path is itself a credential: keep its id, never its signature. */
export function loggablePath(url: string): string {
  return new URL(url).pathname.replace(/^\/l\/([^/.]*)\.[^/]*/, "/l/$1.[redacted]");
}

/**
 * One log line per request, with a request id taken from X-Request-Id (if sane) or generated,
 * and echoed back. Only method, path, status, timing and user id are logged: never headers,
 * query strings or bodies, which may carry credentials.
 */
async function logged(
  request: Request,
  handle: (requestId: string, context: { userId?: string }) => Promise<Response>,
): Promise<Response> {
  const given = request.headers.get("x-request-id");
  const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
  const started = performance.now();
  const context: { userId?: string } = {};
  const response = await handle(requestId, context);
  response.headers.set("X-Request-Id", requestId);
  logger.info(
    {
      requestId,
      method: request.method,
      path: loggablePath(request.url),
      status: response.status,
      ms: Math.round(performance.now() - started),
      userId: context.userId,
    },
    "request",
  );
  return response;
}

type Principals = { user: Principal; public: undefined };

/** What a handler gets: the request, its caller (for `user` operations) and its parsed input. */
export type HandlerContext<O extends Operation, R = never> = OperationInput<O> & {
  request: Request;
  principal: Principals[O["auth"]];
  /** Absolute origin for links in responses (PUBLIC_URL, else the request's own origin). */
  baseUrl: string;
  /** What the route's `bearerRead` returned, on a Bearer request it authenticated; else undefined. */
  bearerResult?: R;
};

type RouteOptions<O extends Operation, R> = {
  /**
   * For a `user` operation that reads (no body, not idempotent): authenticates an API token and
   * reads what the handler needs in one statement, returning the caller with it, or null when the
   * token does not authenticate. Bearer requests then cost one statement instead of two; the
   * handler still reads for itself on session requests (bearerResult undefined).
   */
  bearerRead?: (token: string, input: OperationInput<O>) => Promise<R | null>;
};

/** A route handler bound to its operation (the drift test reads `operation`). */
export type BoundHandler = ((request: Request, context: RouteContext) => Promise<Response>) & { operation: Operation };

/** The path, query and body as the operation's schemas parse them (404 for a bad path, else 422). */
async function parseInput<O extends Operation>(
  operation: O,
  request: Request,
  context: RouteContext,
  principal?: Principal,
  loans?: Loans,
): Promise<OperationInput<O>> {
  const params = operation.params ? operation.params.schema.safeParse(await context.params) : undefined;
  if (params && !params.success) throw notFound(operation.params?.notFound ?? "resource");
  const query = operation.query
    ? parseOrThrow(operation.query, Object.fromEntries(new URL(request.url).searchParams))
    : {};
  const body = operation.body
    ? parseOrThrow(operation.body.schema, await readBody(request, operation.body.type, principal, loans))
    : undefined;
  return { params: params?.data ?? {}, query, body } as OperationInput<O>;
}

async function readBody(
  request: Request,
  type: NonNullable<Operation["body"]>["type"],
  principal?: Principal,
  loans?: Loans,
): Promise<unknown> {
  // The caller's plan may allow less than the global MAX_UPLOAD_BYTES, never more.
  const maxBytes = Math.min(principal?.plan.maxUploadBytes ?? Infinity, env().MAX_UPLOAD_BYTES);
  return type === "application/json" ? readJson(request) : readMultipart(request, maxBytes, loans?.borrow);
}

/**
 * The API sets its own security headers: proxy.ts leaves /api/v1 alone, since Next buffers every
 * body that passes a proxy (a copy of each upload for nothing).
 */
function responseSecurityHeaders(request: Request): Record<string, string> {
  return securityHeaders(new URL(request.url).pathname, "", {
    dev: process.env.NODE_ENV === "development",
    https: env().PUBLIC_URL?.startsWith("https:") ?? false,
  });
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/**
 * The one wrapper every operation goes through: authenticates as the operation says, counts the
 * request against its rate limits (lib/http/rate-limit.ts), parses its
 * path, query and body with its schemas (a path value its schema refuses is a 404, anything
 * else bad a 422 naming each field), hands the handler typed input, and maps every error to
 * application/problem+json. An `idempotent` operation sent an Idempotency-Key runs once per key
 * (lib/http/idempotency.ts). With `bearerRead`, a Bearer request is parsed first and then
 * authenticated by the handler's own read; what it answers, and in which order (401, then 429,
 * then 404/422), stays the same.
 */
export function route<const O extends Operation>(
  operation: O,
  handler: (context: HandlerContext<O>) => Promise<Response>,
): BoundHandler;
// Options before the handler, so TypeScript knows what bearerRead returns when it types the handler.
export function route<const O extends Operation, R extends { principal: Principal }>(
  operation: O,
  options: RouteOptions<O, R>,
  handler: (context: HandlerContext<O, R>) => Promise<Response>,
): BoundHandler;
export function route<const O extends Operation, R extends { principal: Principal }>(
  operation: O,
  ...args:
    | [(context: HandlerContext<O, R>) => Promise<Response>]
    | [RouteOptions<O, R>, (context: HandlerContext<O, R>) => Promise<Response>]
): BoundHandler {
  const [{ bearerRead }, handler] = args.length === 1 ? [{}, args[0]] : args;
  if (bearerRead && (operation.auth !== "user" || operation.body || operation.idempotent))
    throw new Error(`${operation.id}: bearerRead is for reads by a user (no body, not idempotent).`);
  const bound = async (request: Request, context: RouteContext): Promise<Response> =>
    logged(request, async (requestId, log) => {
      let limitHeaders: Record<string, string> = {};
      // An upload's body is read into borrowed buffers, given back once the handler has settled:
      // its work on them (the decode, the writes) is awaited before it answers, on every path.
      const loans = uploadBuffers.loans();
      try {
        const token = bearerRead ? bearerTokenOf(request) : undefined;
        let input: OperationInput<O> | undefined;
        let bearerResult: R | null = null;
        let badInput: AppError | undefined;
        if (bearerRead && token) {
          try {
            input = await parseInput(operation, request, context);
            bearerResult = await bearerRead(token, input);
          } catch (error) {
            // Bad input is answered after authentication and counting, as without bearerRead.
            if (!(error instanceof AppError)) throw error;
            badInput = error;
          }
        }
        // What bearerRead did not authenticate is authenticated as usual: a bad token gets the usual 401.
        const principal =
          bearerResult?.principal ?? (operation.auth === "user" ? await authenticate(request) : undefined);
        log.userId = principal?.userId;
        // Before the body is read: a refused upload costs nothing.
        limitHeaders = await countRequest(operation, request, principal);
        if (badInput) throw badInput;
        const idempotencyKey = operation.idempotent ? idempotencyKeyOf(request) : null;
        const parsed = input ?? (await parseInput(operation, request, context, principal, loans));
        const respond = () =>
          handler({
            ...parsed,
            request,
            principal: principal as Principals[O["auth"]],
            baseUrl: baseUrlOf(request),
            bearerResult: bearerResult ?? undefined,
          }).catch((error: unknown) => errorResponse(error, requestId));
        const response =
          idempotencyKey && principal
            ? await idempotently(
                principal.userId,
                idempotencyKey,
                await requestFingerprint(operation.id, parsed),
                respond,
              )
            : await respond();
        return withHeaders(response, { ...responseSecurityHeaders(request), ...limitHeaders });
      } catch (error) {
        return withHeaders(errorResponse(error, requestId), { ...responseSecurityHeaders(request), ...limitHeaders });
      } finally {
        loans.end();
      }
    });
  return Object.assign(bound, { operation });
}

/** Exported for the methods a route does not implement, so they answer 405 in problem+json too. */
export function methodNotAllowed(allowed: readonly string[]) {
  return async (request: Request): Promise<Response> =>
    withHeaders(problemResponse(problemOf(405, `This endpoint allows ${allowed.join(", ")}.`)), {
      ...responseSecurityHeaders(request),
      Allow: allowed.join(", "),
    });
}

/** Unknown API paths answer in the API's error format, not with the HTML 404 page. */
export async function unknownEndpoint(request: Request): Promise<Response> {
  return withHeaders(problemResponse(problemOf(404, "No such API endpoint.")), responseSecurityHeaders(request));
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json");
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "private, no-store");
  return new Response(JSON.stringify(body), { ...init, headers });
}
