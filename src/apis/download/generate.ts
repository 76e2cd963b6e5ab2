/**
 * Synthetic download-service records (docs/API.md § download service): players' games check for an update
 * (`download.checkAppUpdate`); when one is offered and taken, the download's result
 * follows a few seconds later (`download.downloadEvent`). Both endpoints, successes and
 * failures, are in every run of more than a few records.
 *
 * Consistency the rules check: errorCode "0" exactly on success and a non-empty errorMsg
 * (sometimes Chinese, as the API document's are) on failure; `updateType` only when an update is
 * offered; a successful download has filesize = totalfilesize, a failed one less or equal;
 * `begintime` is China Standard Time text of a real moment. Each record carries `_api`
 * (metadata, never sent) so a mixed log is routed without guessing.
 */
import type { JsonObject } from '../../records.js';
import type { Prng } from '../../prng.js';

/** CSV header: `_api`, checkAppUpdate's fields, then downloadEvent's others (a mixed CSV). */
export const DOWNLOAD_COLUMNS: readonly string[] = [
  '_api',
  'errorCode',
  'errorMsg',
  'appid',
  'openid',
  'oepnid',
  'totaltime',
  'platform',
  'ver_addr',
  'begintime',
  'version',
  'build',
  'oldversion',
  'oldbuild',
  'resultCode',
  'updateType',
  'filesize',
  'url',
  'final_url',
  'versionType',
  'totalfilesize',
];

interface App {
  readonly appid: number;
  readonly slug: string;
  readonly verAddr: string;
  readonly cdnIps: readonly string[];
  /** Releases, oldest first: `[version, build]`. */
  readonly releases: readonly (readonly [string, string])[];
}

interface Player {
  readonly openid: string;
  readonly app: App;
  readonly platform: number;
  /** Index in app.releases of the version the player has. */
  readonly release: number;
}

interface PendingDownload {
  readonly player: Player;
  readonly versionType: number;
  readonly dueAt: number;
}

const PLAYER_COUNT = 400;
const APP_SPECS = [
  { appid: 5012, slug: 'xiyou' },
  { appid: 5013, slug: 'sanguo' },
  { appid: 6101, slug: 'mahjong' },
  { appid: 7208, slug: 'racer' },
] as const;

const CHECK_FAILURES: readonly (readonly [string, string])[] = [
  ['92001', '连接版本更新服务器失败'],
  ['92002', '版本服务器响应超时'],
  ['92003', 'version manifest is not valid JSON'],
  ['92004', 'DNS lookup failed for the version server'],
];
const DOWNLOAD_FAILURES: readonly (readonly [string, string])[] = [
  ['1', '下载过程未知错误'],
  ['1001', '网络连接中断'],
  ['1002', '磁盘空间不足'],
  ['1003', '文件校验失败 (MD5 mismatch)'],
  ['404', 'HTTP 404 Not Found'],
  ['-3', 'download cancelled by the user'],
];

function makeApps(rng: Prng): App[] {
  return APP_SPECS.map(({ appid, slug }) => {
    const releases: (readonly [string, string])[] = [];
    let minor = rng.int(0, 3);
    let patch = rng.int(0, 5);
    let build = rng.int(90, 300);
    for (let i = 0; i < 5; i++) {
      releases.push([`1.${minor}.${patch}`, String(build)]);
      if (rng.chance(0.3)) {
        minor++;
        patch = 0;
      } else patch++;
      build += rng.int(1, 12);
    }
    const cdnIps = [0, 1, 2].map(() => `${rng.int(58, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`);
    return { appid, slug, verAddr: `ver.${slug}.example.com`, cdnIps, releases };
  });
}

function makePlayers(rng: Prng, apps: readonly App[]): Player[] {
  const players: Player[] = [];
  const seen = new Set<string>();
  while (players.length < PLAYER_COUNT) {
    const platform = rng.weighted([[1, 45], [2, 50], [3, 2], [9, 3]] as const);
    // The API document's ids look like `1-11122`: a zone, then the player number.
    const openid = `${rng.int(1, 9)}-${rng.int(10000, 99999)}`;
    if (seen.has(openid)) continue;
    seen.add(openid);
    const app = rng.pick(apps);
    players.push({ openid, app, platform, release: rng.int(0, app.releases.length - 2) });
  }
  return players;
}

/** `YYYY-MM-DD hh:mm:ss` in China Standard Time (UTC+8, no daylight saving). */
function chinaStandardTime(epochSeconds: number): string {
  const d = new Date((epochSeconds + 8 * 3600) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** appstore (0) only on iOS, apk (1) only on Android; resources (2) anywhere. */
function versionTypeFor(rng: Prng, platform: number): number {
  if (platform === 1) return rng.chance(0.4) ? 0 : 2;
  if (platform === 2) return rng.chance(0.5) ? 1 : 2;
  return 2;
}

function checkRecord(rng: Prng, player: Player, pending: PendingDownload[], now: number): JsonObject {
  const { app } = player;
  const latest = app.releases[app.releases.length - 1]!;
  const versionType = versionTypeFor(rng, player.platform);
  const record: JsonObject = { _api: 'download.checkAppUpdate' };
  const failure = rng.chance(0.08) ? rng.pick(CHECK_FAILURES) : undefined;
  const offered = failure === undefined && rng.chance(0.6);
  record.errorCode = failure ? failure[0] : '0';
  if (failure) record.errorMsg = failure[1];
  record.appid = app.appid;
  // Not logged in yet: the API document says to leave the id empty then.
  record.openid = rng.chance(0.05) ? '' : player.openid;
  record.totaltime = failure ? rng.int(3000, 15000) : rng.skewed(20, 1500);
  record.platform = player.platform;
  record.ver_addr = app.verAddr;
  record.version = latest[0];
  record.build = rng.chance(0.1) ? '' : latest[1];
  record.resultCode = offered ? 1 : 0;
  if (offered) {
    const updateType = rng.weighted([[0, 15], [1, 45], [2, 40]] as const);
    record.updateType = updateType;
    // Ignored updates and App Store updates are not downloaded by the game itself.
    if (updateType !== 0 && versionType !== 0) pending.push({ player, versionType, dueAt: now + rng.int(1, 20) });
  }
  record.versionType = versionType;
  return record;
}

function downloadRecord(rng: Prng, download: PendingDownload, now: number): JsonObject {
  const { player, versionType } = download;
  const { app } = player;
  const [version, build] = app.releases[app.releases.length - 1]!;
  const [oldversion, oldbuild] = app.releases[player.release]!;
  const totalfilesize = versionType === 1 ? rng.int(30, 300) * 1_048_576 + rng.int(0, 1_048_575) : rng.skewed(1, 80) * 1_048_576 + rng.int(0, 1_048_575);
  const failure = rng.chance(0.15) ? rng.pick(DOWNLOAD_FAILURES) : undefined;
  const filesize = failure ? Math.floor(totalfilesize * rng.next()) : totalfilesize;
  const bytesPerMs = rng.int(500, 20_000);
  const file = versionType === 1 ? `${app.slug}-${version}.apk` : `res-${version}.zip`;
  const url = `http://cdn.${app.slug}.example.com/${app.slug}/${version}/${file}`;
  // A download that failed before connecting has no final URL to report.
  const finalUrl = failure && rng.chance(0.3) ? '' : `http://${rng.pick(app.cdnIps)}/${app.slug}/${version}/${file}`;
  const record: JsonObject = {
    _api: 'download.downloadEvent',
    oepnid: player.openid,
    appid: app.appid,
    platform: player.platform,
    begintime: chinaStandardTime(now),
    version,
    build,
    oldversion,
    oldbuild,
    resultCode: failure ? 1 : 0,
    errorCode: failure ? failure[0] : '0',
  };
  if (failure) record.errorMsg = failure[1];
  record.totaltime = Math.max(1, Math.round(filesize / bytesPerMs)) + (failure ? rng.int(0, 30_000) : 0);
  record.filesize = filesize;
  record.url = url;
  record.final_url = finalUrl;
  record.versionType = versionType;
  record.totalfilesize = totalfilesize;
  return record;
}

export function* generateDownloadRecords(count: number, rng: Prng, startSeconds: number): Generator<JsonObject> {
  const apps = makeApps(rng);
  const players = makePlayers(rng, apps);
  const pending: PendingDownload[] = [];
  let now = startSeconds;
  for (let emitted = 0; emitted < count; emitted++) {
    // About one record a second: 10 million span some four months.
    now += rng.int(0, 2);
    const remaining = count - emitted;
    // Downloads follow their check in due order (FIFO is due order: delays are short and
    // similar); near the end only pending downloads are written, so none is left out.
    if (pending.length > 0 && (pending[0]!.dueAt <= now || remaining <= pending.length)) {
      yield downloadRecord(rng, pending.shift()!, now);
      continue;
    }
    yield checkRecord(rng, rng.pick(players), pending, now);
  }
}
