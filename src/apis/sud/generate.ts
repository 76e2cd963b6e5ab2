/**
 * Synthetic `sud.report_game_info` records (docs/API.md § sud.report_game_info): rounds of a handful of games, each
 * reported as a game_start when it begins and a game_settle when it ends, in time order,
 * so many rounds are open at once and their reports interleave as a game server's would.
 *
 * What makes them realistic and valid: mg_id is an int64 past 2^53 (a bigint, so it prints
 * digit for digit) equal to mg_id_str; game_round_ids are unique in a run; players mix
 * humans and AI (AI with ai_level, sometimes with an empty uid); ranks start at 1 and a
 * draw shares a rank; battle_duration is end − start; the leader (`uid`) is a human player.
 */
import type { JsonObject } from '../../records.js';
import type { Prng } from '../../prng.js';

/** CSV header: dotted names for report_msg's fields, JSON cells for players and results. */
export const SUD_COLUMNS: readonly string[] = [
  'report_type',
  'report_msg.mg_id',
  'report_msg.mg_id_str',
  'report_msg.room_id',
  'report_msg.game_mode',
  'report_msg.game_round_id',
  'report_msg.battle_start_at',
  'report_msg.battle_end_at',
  'report_msg.battle_duration',
  'report_msg.players',
  'report_msg.results',
  'report_msg.report_game_info_extras',
  'report_msg.report_game_info_key',
  'report_msg.extras',
  'uid',
  'ss_token',
];

interface MiniGame {
  readonly mgId: bigint;
  readonly modes: readonly number[];
  readonly minPlayers: number;
  readonly maxPlayers: number;
  /** Chance that a seat is filled by an AI player. */
  readonly aiShare: number;
  readonly maps: readonly string[];
}

interface Player {
  readonly uid: string;
  readonly ssToken: string;
}

interface Seat {
  readonly uid: string;
  readonly isAi: 0 | 1;
  readonly aiLevel?: number;
}

interface Round {
  readonly game: MiniGame;
  readonly roomId: string;
  readonly mode: number;
  readonly roundId: string;
  readonly startAt: number;
  readonly endAt: number;
  readonly seats: readonly Seat[];
  readonly humans: readonly Player[];
  readonly leader: Player;
  readonly extras: string;
  readonly key: string;
}

const PLAYER_COUNT = 800;
const ROOMS_PER_GAME = 40;
/** The API document's own game id: real logs carry it, so generated ones do too. */
const SEED_MG_ID = 1461227817776713818n;

function makeGames(rng: Prng): MiniGame[] {
  const shapes = [
    { modes: [1], minPlayers: 2, maxPlayers: 2, aiShare: 0.3, maps: ['classic'] },
    { modes: [1, 2], minPlayers: 2, maxPlayers: 4, aiShare: 0.25, maps: ['forest', 'desert', '雪山'] },
    { modes: [1, 2, 3], minPlayers: 4, maxPlayers: 8, aiShare: 0.2, maps: ['castle', 'harbor'] },
    { modes: [2], minPlayers: 3, maxPlayers: 6, aiShare: 0.15, maps: ['party'] },
    { modes: [1, 4], minPlayers: 2, maxPlayers: 6, aiShare: 0.35, maps: ['speed', '经典'] },
  ];
  return shapes.map((shape, i) => ({ ...shape, mgId: i === 0 ? SEED_MG_ID : rng.int64Beyond53() }));
}

function makePlayers(rng: Prng): Player[] {
  const players: Player[] = [];
  const seen = new Set<string>();
  while (players.length < PLAYER_COUNT) {
    const uid = `u${rng.base36(9)}`;
    if (seen.has(uid)) continue;
    seen.add(uid);
    players.push({ uid, ssToken: rng.alnum(32) });
  }
  return players;
}

/** A player not in a round now; undefined when a few tries find none (the seat goes to an AI). */
function freePlayer(rng: Prng, players: readonly Player[], busy: ReadonlySet<Player>): Player | undefined {
  for (let tries = 0; tries < 16; tries++) {
    const player = rng.pick(players);
    if (!busy.has(player)) return player;
  }
  return undefined;
}

/**
 * Seats of one round: at least one human (the leader), humans who are in no other open
 * round (`busy`, updated here), AI players with a level.
 */
function seatRound(rng: Prng, game: MiniGame, players: readonly Player[], busy: Set<Player>): { seats: Seat[]; leader: Player; humans: Player[] } {
  const size = rng.int(game.minPlayers, game.maxPlayers);
  // The pool is far larger than the players in open rounds, so a free leader is always found.
  let leader = freePlayer(rng, players, busy);
  while (leader === undefined) leader = freePlayer(rng, players, busy);
  busy.add(leader);
  const humans = [leader];
  const seats: Seat[] = [rng.chance(0.3) ? { uid: leader.uid, isAi: 0, aiLevel: 0 } : { uid: leader.uid, isAi: 0 }];
  let robots = 0;
  while (seats.length < size) {
    const player = rng.chance(game.aiShare) ? undefined : freePlayer(rng, players, busy);
    if (player === undefined) {
      // The API document's own sample gives an AI player an empty uid; others name their robots.
      const uid = rng.chance(0.4) ? '' : `robot_${++robots}`;
      seats.push({ uid, isAi: 1, aiLevel: rng.int(0, 3) });
      continue;
    }
    busy.add(player);
    humans.push(player);
    seats.push(rng.chance(0.3) ? { uid: player.uid, isAi: 0, aiLevel: 0 } : { uid: player.uid, isAi: 0 });
  }
  return { seats, leader, humans };
}

function startRecord(round: Round): JsonObject {
  const players = round.seats.map((seat) => {
    const player: JsonObject = { uid: seat.uid, is_ai: seat.isAi };
    if (seat.aiLevel !== undefined) player.ai_level = seat.aiLevel;
    return player;
  });
  return {
    report_type: 'game_start',
    report_msg: {
      ...roundFields(round),
      players,
      report_game_info_extras: round.extras,
      report_game_info_key: round.key,
    },
    uid: round.leader.uid,
    ss_token: round.leader.ssToken,
  };
}

/** What both reports of a round say first, in the API document's order. */
function roundFields(round: Round): JsonObject {
  return {
    mg_id: round.game.mgId,
    mg_id_str: round.game.mgId.toString(),
    room_id: round.roomId,
    game_mode: round.mode,
    game_round_id: round.roundId,
    battle_start_at: round.startAt,
  };
}

/** Scores decide ranks: equal scores share a rank (1, 1, 3 …), so draws happen. */
function settleResults(rng: Prng, round: Round): JsonObject[] {
  const scored = round.seats.map((seat) => {
    const escaped = seat.isAi === 0 && rng.chance(0.05);
    return { seat, escaped, score: escaped ? 0 : rng.int(0, 12) * 10 };
  });
  scored.sort((a, b) => b.score - a.score);
  const topScore = scored[0]!.score;
  const topCount = scored.filter((s) => s.score === topScore).length;
  const results: JsonObject[] = [];
  for (let i = 0; i < scored.length; i++) {
    const { seat, escaped, score } = scored[i]!;
    const rank = i > 0 && score === scored[i - 1]!.score ? (results[i - 1]!.rank as number) : i + 1;
    const isWin = rank === 1 ? (topCount > 1 ? 3 : 2) : 1;
    const result: JsonObject = { uid: seat.uid, rank, is_escaped: escaped ? 1 : 0, is_ai: seat.isAi };
    if (seat.aiLevel !== undefined) result.ai_level = seat.aiLevel;
    result.role = rng.chance(0.7) ? 0 : rng.int(1, 4);
    result.score = score;
    result.commission_score = Math.floor(score * 0.05);
    result.is_win = isWin;
    result.award = rank === 1 ? 100 : rank === 2 ? 20 : 0;
    if (rng.chance(0.2)) result.extras = JSON.stringify({ kills: rng.int(0, 9) });
    result.is_managed = escaped ? 1 : 0;
    results.push(result);
  }
  return results;
}

function settleRecord(rng: Prng, round: Round): JsonObject {
  const msg: JsonObject = {
    ...roundFields(round),
    battle_end_at: round.endAt,
    battle_duration: round.endAt - round.startAt,
    results: settleResults(rng, round),
    report_game_info_extras: round.extras,
    report_game_info_key: round.key,
  };
  if (rng.chance(0.3)) msg.extras = JSON.stringify({ server: `gs-${rng.int(1, 8)}` });
  return { report_type: 'game_settle', report_msg: msg, uid: round.leader.uid, ss_token: round.leader.ssToken };
}

/** Open rounds ordered by end time (earliest first); a binary insert keeps it so. */
function insertByEnd(open: Round[], round: Round): void {
  let lo = 0;
  let hi = open.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (open[mid]!.endAt <= round.endAt) lo = mid + 1;
    else hi = mid;
  }
  open.splice(lo, 0, round);
}

export function* generateSudRecords(count: number, rng: Prng, startSeconds: number): Generator<JsonObject> {
  const games = makeGames(rng);
  const players = makePlayers(rng);
  // Part of every round id: rounds of runs with different seeds do not collide at a receiver.
  const runTag = rng.base36(12);
  const open: Round[] = [];
  const busy = new Set<Player>();
  let nextStart = startSeconds;
  let started = 0;
  for (let emitted = 0; emitted < count; emitted++) {
    const remaining = count - emitted;
    // Settle when a round ends before the next one starts, and near the end so that every
    // round started is settled within `count` records.
    if (open.length > 0 && (open[0]!.endAt <= nextStart || remaining <= open.length)) {
      const round = open.shift()!;
      for (const player of round.humans) busy.delete(player);
      yield settleRecord(rng, round);
      continue;
    }
    const game = rng.pick(games);
    const { seats, leader, humans } = seatRound(rng, game, players, busy);
    const gameIndex = games.indexOf(game);
    const roundId = `${rng.base36(12)}-${runTag}-${(started++).toString(36).padStart(12, '0')}`;
    const round: Round = {
      game,
      roomId: `room_${gameIndex}_${rng.int(1, ROOMS_PER_GAME)}`,
      mode: rng.pick(game.modes),
      roundId,
      startAt: nextStart,
      endAt: nextStart + rng.skewed(20, 900),
      seats,
      humans,
      leader,
      extras: JSON.stringify({ season: rng.int(1, 6), map: rng.pick(game.maps) }),
      key: `rk_${roundId}`,
    };
    insertByEnd(open, round);
    // About 3 s between starts: some 100 rounds open at once; 10 million reports span ~half a year.
    nextStart += rng.int(0, 6);
    yield startRecord(round);
  }
}
