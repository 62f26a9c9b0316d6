/** A handler's configuration is its environment, set by the CDK app; a missing name is a deployment bug. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `environment variable ${name} is not set: the stack sets it on every handler that needs it`,
    );
  }
  return value;
}
