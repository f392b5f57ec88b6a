import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkCutoverBuild, cloudBuildConfigSchema, substitute } from '../../shared/gcp/cloudbuild-config.js';
import { parseBuildMessage } from '../../shared/ingest/cloud-build.js';
import type { PubsubMessage } from '../../shared/ingest/envelope.js';

const config = cloudBuildConfigSchema.parse(parse(readFileSync('cloudbuild.yaml', 'utf8')));

describe('cloudbuild.yaml', () => {
  it('is a valid Cloud Build config with everything Cutover needs', () => {
    expect(checkCutoverBuild(config)).toEqual([]);
    expect(config.steps[0]?.name).toBe('gcr.io/cloud-builders/docker');
  });

  it('catches a typo, an undefined substitution and a missing image list', () => {
    expect(cloudBuildConfigSchema.safeParse({ ...config, stepz: [] }).success).toBe(false);
    expect(checkCutoverBuild({ ...config, images: [], steps: [{ name: 'x', args: ['${_NOPE}'] }] })).toEqual([
      'substitution _NOPE is used but not defined',
      'images must list the image, so the build result carries its digest',
    ]);
  });

  it('produces a build whose status message maps to the service and the pushed digest', () => {
    const values = { ...(config.substitutions ?? {}), PROJECT_ID: 'demo', COMMIT_SHA: 'f00dcafe' };
    const image = substitute(config.images?.[0] ?? '', values);
    expect(image).toBe('europe-west1-docker.pkg.dev/demo/apps/checkout:f00dcafe');
    // What Cloud Build publishes on `cloud-builds` for a successful run of this config.
    const build = {
      id: 'b-123',
      projectId: 'demo',
      status: 'SUCCESS',
      substitutions: { ...config.substitutions, COMMIT_SHA: 'f00dcafe', SHORT_SHA: 'f00dcaf' },
      images: [image],
      results: { images: [{ name: image, digest: 'sha256:feedface' }] },
      tags: config.tags?.map((t) => substitute(t, values)),
    };
    const message: PubsubMessage = { messageId: '1', data: Buffer.from(JSON.stringify(build)), attributes: { buildId: 'b-123', status: 'SUCCESS' }, publishTime: null };
    expect(parseBuildMessage(message)).toEqual({
      kind: 'ours',
      service: 'checkout',
      body: { kind: 'build', buildId: 'b-123', status: 'SUCCESS', commit: 'f00dcafe', image: 'europe-west1-docker.pkg.dev/demo/apps/checkout@sha256:feedface' },
    });
  });
});
