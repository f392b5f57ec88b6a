import { z } from 'zod';

/**
 * The part of the Cloud Build config schema (cloudbuild.yaml) Cutover's example uses, strict so a
 * typo is an error, plus the checks Cutover relies on: every ${_VAR} used is defined, the image is
 * listed under `images` (so the build result carries its digest), and _CUTOVER_SERVICE is set.
 */
const step = z
  .object({
    id: z.string().optional(),
    name: z.string().min(1),
    args: z.array(z.string()).optional(),
    entrypoint: z.string().optional(),
    env: z.array(z.string()).optional(),
    dir: z.string().optional(),
    waitFor: z.array(z.string()).optional(),
    secretEnv: z.array(z.string()).optional(),
    timeout: z.string().regex(/^\d+(\.\d+)?s$/).optional(),
    script: z.string().optional(),
  })
  .strict();

export const cloudBuildConfigSchema = z
  .object({
    steps: z.array(step).min(1),
    images: z.array(z.string()).optional(),
    substitutions: z.record(z.string().regex(/^_[A-Z0-9_]+$/, 'user substitutions start with _ and use A-Z, 0-9, _'), z.string()).optional(),
    tags: z.array(z.string()).optional(),
    options: z
      .object({
        logging: z.enum(['LOGGING_UNSPECIFIED', 'LEGACY', 'GCS_ONLY', 'STACKDRIVER_ONLY', 'CLOUD_LOGGING_ONLY', 'NONE']).optional(),
        substitutionOption: z.enum(['MUST_MATCH', 'ALLOW_LOOSE']).optional(),
        machineType: z.string().optional(),
        dynamicSubstitutions: z.boolean().optional(),
      })
      .strict()
      .optional(),
    timeout: z.string().regex(/^\d+(\.\d+)?s$/).optional(),
    serviceAccount: z.string().optional(),
    availableSecrets: z.unknown().optional(),
    artifacts: z.unknown().optional(),
  })
  .strict();
export type CloudBuildConfig = z.infer<typeof cloudBuildConfigSchema>;

const BUILTINS = ['PROJECT_ID', 'PROJECT_NUMBER', 'BUILD_ID', 'LOCATION', 'COMMIT_SHA', 'SHORT_SHA', 'REVISION_ID', 'REPO_NAME', 'REPO_FULL_NAME', 'BRANCH_NAME', 'TAG_NAME', 'TRIGGER_NAME', 'TRIGGER_BUILD_CONFIG_PATH', 'SERVICE_ACCOUNT', 'SERVICE_ACCOUNT_EMAIL'];

/** Substitutes like Cloud Build: $NAME and ${NAME}, builtins and user substitutions. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}|\$([A-Z0-9_]+)/g, (whole, braced?: string, bare?: string) => values[braced ?? bare ?? ''] ?? whole);
}

export function checkCutoverBuild(config: CloudBuildConfig): string[] {
  const problems: string[] = [];
  const defined = new Set([...BUILTINS, ...Object.keys(config.substitutions ?? {})]);
  const used = JSON.stringify(config).matchAll(/\$\{([A-Z0-9_]+)\}|\$([A-Z0-9_]+)/g);
  for (const m of used) {
    const name = m[1] ?? m[2] ?? '';
    if (!defined.has(name)) problems.push(`substitution ${name} is used but not defined`);
  }
  if (!config.substitutions?._CUTOVER_SERVICE) problems.push('substitutions._CUTOVER_SERVICE must name the Cutover service');
  if (!config.images?.length) problems.push('images must list the image, so the build result carries its digest');
  return problems;
}
