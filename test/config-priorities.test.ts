// Priorities of the config rules, which the fixture annotations do not pin: a signing secret's
// fallback and a written CORS wildcard with credentials are P0 in a service; passwords, third-party
// keys, connection URLs and defaults reached through settings are P1; an unauthenticated redis is
// P0 only when its port is published beyond the loopback.
import { describe, expect, it } from 'vitest';
import { analyseComposeFiles, analyseSnippet, prioritiesByLine as byLine } from './fixture-harness.js';

describe('config rule priorities', () => {
  it('FL051: signing secrets P0; passwords, keys and URLs P1', async () => {
    const a = await analyseSnippet(
      'settings.py',
      [
        'import os',
        'JWT_SECRET = os.getenv("JWT_SECRET", "dev")',
        'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-x")',
        'DB_PASSWORD = os.getenv("DB_PASSWORD", "postgres")',
        'STRIPE_SECRET_KEY = os.getenv("STRIPE_SECRET_KEY", "sk_live_abc123")',
        'DATABASE_URL = os.getenv("DATABASE_URL", "postgres://app:pw@db.internal.example.com/app")',
        'OPENAI_API_KEY = os.getenv("OPENAI_API_KEY", "sk-proj-")',
        // a host only a compose network or this machine has (tracecat's `postgres_db`): a deploy
        // elsewhere that loses the variable fails to connect
        'TRACECAT__DB_URI = os.environ.get("TRACECAT__DB_URI", "postgresql+psycopg://postgres:postgres@postgres_db:5432/postgres")',
        'REDIS_URL = os.getenv("REDIS_URL", "redis://:pw@127.0.0.1:6379/0")',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL051')).toEqual({ 2: 'P0', 3: 'P0', 4: 'P1', 5: 'P1', 6: 'P1', 8: 'P2', 9: 'P2' });
  });

  it("FL051: Django's SECRET_KEY is P2 where nothing installed signs with it, P0 as soon as something does", async () => {
    // apprise-api's settings: no sessions, auth or messages; the key only salts config-file names
    const settings = (apps: string[], extra = '') =>
      ['import os', 'SECRET_KEY = os.environ.get("SECRET_KEY", "+reua88v8rs4j!bcfdtinb")', `INSTALLED_APPS = [${apps.map((x) => `"${x}"`).join(', ')}]`, 'MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]', extra, ''].join('\n');
    expect(byLine(await analyseSnippet('settings.py', settings(['django.contrib.contenttypes', 'django.contrib.staticfiles', 'api'])), 'FL051')).toEqual({ 2: 'P2' });
    // near misses: an app that signs with it, a list extended out of sight, a JWT library configured by name
    expect(byLine(await analyseSnippet('settings.py', settings(['django.contrib.contenttypes', 'django.contrib.sessions'])), 'FL051')).toEqual({ 2: 'P0' });
    expect(byLine(await analyseSnippet('settings.py', settings(['api'], 'INSTALLED_APPS += EXTRA_APPS')), 'FL051')).toEqual({ 2: 'P0' });
    expect(byLine(await analyseSnippet('settings.py', settings(['api'], 'INSTALLED_APPS.append("django.contrib.sessions")')), 'FL051')).toEqual({ 2: 'P0' });
    expect(byLine(await analyseSnippet('settings.py', settings(['api'], 'REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"]}')), 'FL051')).toEqual({ 2: 'P0' });
  });

  it('FL051 in TS: tokens the service mails or signs are signing secrets, by name or by the object they configure', async () => {
    const a = await analyseSnippet(
      'config.ts',
      [
        "import { JwtModule } from '@nestjs/jwt';",
        'export const config = {',
        "  passwordReset: { jwtOptions: { secret: process.env.RESET_TOKEN || 'x1', expiresIn: '1h' } },",
        "  confirm: { secret: process.env.CONFIRM_ACCOUNT_SECRET || 'DEFAULT_CONFIRM_ACCOUNT_SECRET' },",
        "  stripe: { apiKey: process.env.STRIPE_SECRET || 'sk_live_51Hx2abc' },",
        "  mail: { options: { token: process.env.POSTMARK_TOKEN || 'pm-123abc' } },",
        '};',
        "export const jwt = JwtModule.register({ secret: process.env.AUTH_TOKEN ?? 'dev' });",
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL051')).toEqual({ 3: 'P0', 4: 'P0', 5: 'P1', 6: 'P1', 8: 'P0' });
  });

  it('FL050: a written wildcard is P0, a settings default P1', async () => {
    const a = await analyseSnippet(
      'main.py',
      [
        'from fastapi import FastAPI',
        'from fastapi.middleware.cors import CORSMiddleware',
        'from pydantic_settings import BaseSettings',
        'class Settings(BaseSettings):',
        '    cors_origins: list[str] = ["*"]',
        'settings = Settings()',
        'app = FastAPI()',
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)',
        'app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True)',
        '',
      ].join('\n'),
    );
    expect(byLine(a, 'FL050')).toEqual({ 5: 'P1', 8: 'P0' });
  });

  it('FL052 and FL053 in compose', () => {
    const a = analyseComposeFiles([
      {
        path: 'compose.yaml',
        text: [
          'services:',
          '  api:',
          '    image: acme/api:1',
          '    environment:',
          '      JWT_SECRET: ${JWT_SECRET:-changeme}',
          '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-app}',
          '  cache:',
          '    image: redis:7',
          '    command: redis-server --requirepass ""',
          '    ports: ["6379:6379"]',
          '  sessions:',
          '    image: redis:7',
          '    command: redis-server --requirepass ""',
          '  local:',
          '    image: redis:7',
          '    command: redis-server --requirepass ""',
          '    ports: ["127.0.0.1:6380:6379"]',
          '',
        ].join('\n'),
      },
    ]);
    expect(byLine(a, 'FL052')).toEqual({ 5: 'P0', 6: 'P1' });
    expect(byLine(a, 'FL053')).toEqual({ 9: 'P0', 13: 'P1', 16: 'P1' });
  });
});
