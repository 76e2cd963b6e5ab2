/**
 * Raw HTTP for the receiver tests: requests are built and signed here with node:crypto,
 * independently of the tool's own builders and signers, so the receiver is checked
 * against docs/API.md and not against our other code.
 */
import { createHash, createHmac } from 'node:crypto';
import { startReceiver, type Receiver, type ReceiverOptions } from '../../src/serve/receiver.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export async function post(url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: init.headers ?? {}, ...(init.body !== undefined && { body: init.body }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function get(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Start a receiver on a free 127.0.0.1 port for the length of `fn`. */
export async function withReceiver<T>(options: ReceiverOptions, fn: (receiver: Receiver) => Promise<T>): Promise<T> {
  const receiver = await startReceiver({ port: 0, ...options });
  try {
    return await fn(receiver);
  } finally {
    await receiver.close();
  }
}

/** x-www-form-urlencoded, UTF-8 percent-encoded, in the order given. */
export function form(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

// ---- stat ------------------------------------------------------------------------------

export const STAT_EVENTS = [
  { game_id: 12, aid: 1003, uid: '2508E', game_v: '7.8.8', app_id: 15154545, v: 5 },
  { game_id: 12, app_id: 15154545, uid: '2508E', aid: 2002, game_v: '7.8.8' },
  { app_id: 15154545, aid: 1000, uid: '2508E' },
];

/** The envelope parameters (without __md5), `ts` now. */
export function statParams(events: readonly object[] = STAT_EVENTS): Record<string, string> {
  return {
    uid: '2508E',
    app_id: '15154545',
    session_key: '0oesephgt44zbxvza7uddhldc7d9kx56',
    ts: String(Math.floor(Date.now() / 1000)),
    data: JSON.stringify(events),
  };
}

/** md5-sorted (docs/API.md § stat.push_data), written out here: names sorted, `name=value` joined by `&`, secret appended. */
export function md5Of(params: Readonly<Record<string, string>>, secret: string): string {
  const text = Object.keys(params)
    .filter((name) => name !== '__md5')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  return createHash('md5').update(text + secret, 'utf8').digest('hex');
}

export const STAT_PATH = '/statistic/push_data/';

// ---- SUD -------------------------------------------------------------------------------

/** The API document's game_start sample (repaired), with an mg_id past 2^53, as exact text. */
export function sudStart(roundId = 'ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz', mgId = '1461227817776713818', mgIdStr = mgId): string {
  return (
    `{"report_type":"game_start","report_msg":{"mg_id":${mgId},"mg_id_str":"${mgIdStr}","room_id":"xxx123",` +
    `"game_mode":1,"game_round_id":"${roundId}","battle_start_at":1638845715,` +
    `"players":[{"uid":"u2","is_ai":0,"ai_level":0},{"uid":"u1","is_ai":0,"ai_level":0}],` +
    `"report_game_info_extras":"custom param"},"uid":"u1","ss_token":"fyRTOsubRLCGrRvKoKm7wIcMM1DL7cfb"}`
  );
}

/** The callback signature headers (docs/API.md § sud.report_game_info), computed here with node:crypto. */
export function sudHeaders(body: string, appId: string, secret: string, timestamp = String(Math.floor(Date.now() / 1000)), nonce = 'n0nce42'): Record<string, string> {
  const signature = createHmac('sha1', secret).update(`${appId}\n${timestamp}\n${nonce}\n${body}\n`, 'utf8').digest('hex');
  return { 'content-type': 'application/json', 'Sud-AppId': appId, 'Sud-Timestamp': timestamp, 'Sud-Nonce': nonce, 'Sud-Signature': signature };
}

export const SUD_PATH = '/sud/report_game_info';

/** SUD answers are always HTTP 200; the verdict is in ret_code. */
export function retCode(answer: Answer): { ret_code: number; ret_msg: string } {
  return JSON.parse(answer.text) as { ret_code: number; ret_msg: string };
}

// ---- download --------------------------------------------------------------------------

/** The API document's checkAppUpdate example, as a form. */
export const CHECK_APP_UPDATE = {
  errorCode: '92001',
  errorMsg: '连接版本更新服务器失败',
  appid: '5012',
  openid: '1-11122',
  totaltime: '50',
  platform: '1',
  ver_addr: 'www.update.com',
  version: '1.0.1',
  build: '100',
  resultCode: '1',
  updateType: '1',
  versionType: '1',
};

/** The API document's downloadEvent example (`oepnid` as it spells it), as a form. */
export const DOWNLOAD_EVENT = {
  oepnid: '1-11122',
  appid: '5012',
  platform: '1',
  begintime: '2017-05-14 10:00:00',
  version: '1.0.1',
  build: '100',
  oldversion: '1.0.1',
  oldbuild: '100',
  resultCode: '1',
  errorCode: '1',
  errorMsg: '下载过程未知错误',
  totaltime: '50',
  filesize: '100',
  url: 'http://www.update.com',
  final_url: 'http://111.222.33',
  versionType: '1',
  totalfilesize: '200',
};
