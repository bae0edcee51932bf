/**
 * The AWS Lambda entry point: handler `dist/server/lambda.handler` for a
 * function URL (or API Gateway HTTP API). Configured from the function's
 * environment; see the README's "Deploy and operate" section.
 */
import { createLambdaHandler } from "./serverless.js";

export const handler = createLambdaHandler();
