// The images CI workflows build, read as data: which Dockerfile a published image comes from.
import { describe, expect, it } from 'vitest';
import { ciImageFor, ciImages } from '../src/engine/analysis/ci-images.js';

const files: Record<string, string> = {
  '.github/workflows/publish.yml': `
jobs:
  build:
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: ./docker/Dockerfile.prod
          tags: |
            acme/app:backend
            ghcr.io/acme/app:backend
      - uses: docker/build-push-action@v5
        with:
          context: ./frontend
          tags: acme/app:frontend
      - uses: docker/build-push-action@v6
        with:
          file: \${{ matrix.file }}
          tags: acme/app:matrix
      - run: docker buildx build --platform linux/amd64 -f docker/Dockerfile.worker -t acme/worker:latest --push .
      - run: docker build -t "acme/cli:\${VERSION}" .
`,
  'docker/Dockerfile.prod': 'FROM python',
  'frontend/Dockerfile': 'FROM node',
  'docker/Dockerfile.worker': 'FROM python',
  Dockerfile: 'FROM python',
  '.github/workflows/broken.yml': 'jobs: [: not yaml',
};
const images = ciImages(['.github/workflows/publish.yml', '.github/workflows/broken.yml', '.github/workflows/missing.yml'], (p) => files[p], (p) => p in files);

describe('ciImages', () => {
  it('reads build-push-action steps and docker build commands with literal tags', () => {
    expect(images).toEqual([
      { name: 'acme/app', tag: 'backend', dockerfile: 'docker/Dockerfile.prod', context: '.' },
      { name: 'ghcr.io/acme/app', tag: 'backend', dockerfile: 'docker/Dockerfile.prod', context: '.' },
      // no `file:`: the context's Dockerfile
      { name: 'acme/app', tag: 'frontend', dockerfile: 'frontend/Dockerfile', context: 'frontend' },
      // flags with values are skipped; an expression file or a `${VERSION}` tag names nothing
      { name: 'acme/worker', tag: 'latest', dockerfile: 'docker/Dockerfile.worker', context: '.' },
    ]);
  });

  it('picks the Dockerfile by repository and tag, by repository alone only when every build agrees', () => {
    expect(ciImageFor(images, 'acme/app', 'frontend')?.dockerfile).toBe('frontend/Dockerfile');
    expect(ciImageFor(images, 'docker.io/acme/app'.replace(/^docker\.io\//, ''), 'backend')?.dockerfile).toBe('docker/Dockerfile.prod');
    // two Dockerfiles build acme/app: a tag CI never builds is not guessed
    expect(ciImageFor(images, 'acme/app', 'nightly')).toBeUndefined();
    // one Dockerfile builds every acme/worker: any tag of it comes from there
    expect(ciImageFor(images, 'acme/worker', '1.2')?.dockerfile).toBe('docker/Dockerfile.worker');
    expect(ciImageFor(images, 'other/app', 'backend')).toBeUndefined();
  });
});
