/**
 * Synthetic `stat.push_data` records (docs/API.md § stat.push_data): single-event records as a client logs
 * them, one line per event. Users run sessions the way the feature table describes them —
 * launch, load, click a game, load it, enter, buttons and ads, exit — and several sessions
 * are open at once, so users' events interleave while each user's own order stays real.
 *
 * Every aid of the feature table occurs; `v` is set exactly where the aid carries one
 * (1003 column id, 2003 play seconds, 2017 target game_id); G aids carry `game_id` and
 * `game_v`. `ts` starts at a fixed base time and only moves forward.
 */
import type { JsonObject } from '../../records.js';
import type { Prng } from '../../prng.js';

/** CSV header: the fields a stat record may carry, in the order they are written. */
export const STAT_COLUMNS: readonly string[] = ['uid', 'app_id', 'ts', 'aid', 'game_id', 'game_v', 'v'];

interface Game {
  readonly id: number;
  readonly version: string;
}

interface User {
  readonly uid: string;
  readonly appId: number;
}

/** One planned event of a session: the aid, and for G aids the game it names. */
interface PlannedEvent {
  readonly aid: number;
  readonly game?: Game;
  readonly v?: number;
}

/** Channel apps: a handful, as a real deployment has (the API document's own 15154545 among them). */
const APP_IDS: readonly number[] = [15154545, 10001, 10002, 20017, 30035];
/** Lobby columns a game can be clicked from (aid 1003's `v`). */
const COLUMN_IDS: readonly number[] = [1, 2, 3, 5, 8, 13, 21];
/** Buttons pressed inside a game (2017 is separate: it carries a target game_id). */
const BUTTON_AIDS: readonly number[] = [2012, 2013, 2014, 2015, 2016, 2018];
const USER_COUNT = 360;
const GAME_COUNT = 16;
/** Sessions open at once: enough to interleave users, bounded so memory stays flat. */
const OPEN_SESSIONS = 24;

function makeUsers(rng: Prng): User[] {
  const users: User[] = [];
  const seen = new Set<string>();
  while (users.length < USER_COUNT) {
    // Device ids as clients log them: hex with a letter at the end, never all digits.
    const uid = rng.hexUpper(11) + rng.pick(['A', 'B', 'C', 'D', 'E', 'F']);
    if (seen.has(uid)) continue;
    seen.add(uid);
    users.push({ uid, appId: rng.weighted(APP_IDS.map((id, i) => [id, APP_IDS.length - i] as const)) });
  }
  return users;
}

function makeGames(rng: Prng): Game[] {
  const games: Game[] = [];
  const ids = new Set<number>();
  while (games.length < GAME_COUNT) {
    const id = rng.int(1, 9999);
    if (ids.has(id)) continue;
    ids.add(id);
    games.push({ id, version: `${rng.int(1, 9)}.${rng.int(0, 12)}.${rng.int(0, 20)}` });
  }
  return games;
}

/** What a player does in one game, from the click in the lobby to the exit. */
function planGame(rng: Prng, game: Game, games: readonly Game[], out: PlannedEvent[]): void {
  out.push({ aid: 1003, game, v: rng.pick(COLUMN_IDS) });
  out.push({ aid: 2001, game });
  if (rng.chance(0.05)) return; // gave up while it loaded
  out.push({ aid: 2002, game });
  const actions = rng.skewed(0, 10);
  for (let i = 0; i < actions; i++) {
    const kind = rng.next();
    if (kind < 0.3) {
      out.push({ aid: 3001, game });
      if (rng.chance(0.2)) out.push({ aid: 3002, game });
    } else if (kind < 0.5) {
      out.push({ aid: 3011, game });
      if (rng.chance(0.15)) out.push({ aid: 3012, game });
      if (rng.chance(0.7)) out.push({ aid: 3014, game });
      out.push({ aid: 3013, game });
    } else if (kind < 0.65) {
      out.push({ aid: 3021, game });
      if (rng.chance(0.25)) out.push({ aid: 3022, game });
    } else if (kind < 0.72) {
      out.push({ aid: 2017, game, v: rng.pick(games).id });
    } else {
      out.push({ aid: rng.pick(BUTTON_AIDS), game });
    }
  }
  if (rng.chance(0.6)) out.push({ aid: 2011, game });
  out.push({ aid: 2003, game, v: rng.skewed(5, 3600) });
}

function planSession(rng: Prng, games: readonly Game[]): PlannedEvent[] {
  const events: PlannedEvent[] = [{ aid: 1000 }, { aid: 1001 }];
  if (rng.chance(0.03)) return events; // closed before the lobby loaded
  events.push({ aid: 1002 });
  const played = rng.skewed(1, 3);
  for (let i = 0; i < played; i++) planGame(rng, rng.pick(games), games, events);
  return events;
}

interface Session {
  readonly user: User;
  readonly events: PlannedEvent[];
  next: number;
}

export function* generateStatRecords(count: number, rng: Prng, startSeconds: number): Generator<JsonObject> {
  const users = makeUsers(rng);
  const games = makeGames(rng);
  const open: Session[] = [];
  // A device runs one session at a time: a user with an open session is not picked again.
  const busy = new Set<User>();
  let ts = startSeconds;
  for (let emitted = 0; emitted < count; emitted++) {
    while (open.length < OPEN_SESSIONS) {
      const user = rng.pick(users);
      if (busy.has(user)) continue;
      busy.add(user);
      open.push({ user, events: planSession(rng, games), next: 0 });
    }
    const index = Math.floor(rng.next() * open.length);
    const session = open[index]!;
    const event = session.events[session.next++]!;
    if (session.next === session.events.length) {
      open[index] = open[open.length - 1]!;
      open.pop();
      busy.delete(session.user);
    }
    // About 0.3 s per event on average: 10 million events span about five weeks.
    if (rng.chance(0.3)) ts++;
    const record: JsonObject = { uid: session.user.uid, app_id: session.user.appId, ts, aid: event.aid };
    if (event.game) {
      record.game_id = event.game.id;
      record.game_v = event.game.version;
    }
    if (event.v !== undefined) record.v = event.v;
    yield record;
  }
}
