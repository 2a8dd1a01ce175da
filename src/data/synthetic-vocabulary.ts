// Word lists and weights for synthetic years. The weights follow the shape of the real files
// (SPEC §8, PROVENANCE.md) so a synthetic year looks and hashes like a real one: before 1955
// NOAA holds only tornadoes, 1955–1995 only tornado, thunderstorm wind and hail, and from 1996
// the full event-type list with zone (Z) designators for the weather-zone types.
// Every value uses only ASCII letters, digits, space and & ' ( ) - . / (never a comma or |).

/** A value and its relative weight. */
export type Weighted = readonly [value: string, weight: number];

/** An event type, its weight in a year of that era, and the chance that a row uses cz_type Z. */
export interface EventKind {
  readonly type: string;
  readonly weight: number;
  readonly zoneShare: number;
}

export const MONTHS: readonly Weighted[] = [
  ['January', 5], ['February', 5], ['March', 8], ['April', 11], ['May', 15], ['June', 16],
  ['July', 12], ['August', 9], ['September', 6], ['October', 5], ['November', 4], ['December', 4],
];

/** The 50 states, weighted roughly by how many storm events each reports. */
export const STATES: readonly Weighted[] = [
  ['ALABAMA', 3], ['ALASKA', 1], ['ARIZONA', 1], ['ARKANSAS', 3], ['CALIFORNIA', 1],
  ['COLORADO', 2], ['CONNECTICUT', 1], ['DELAWARE', 1], ['FLORIDA', 2], ['GEORGIA', 3],
  ['HAWAII', 1], ['IDAHO', 1], ['ILLINOIS', 4], ['INDIANA', 3], ['IOWA', 4],
  ['KANSAS', 6], ['KENTUCKY', 3], ['LOUISIANA', 3], ['MAINE', 1], ['MARYLAND', 1],
  ['MASSACHUSETTS', 1], ['MICHIGAN', 2], ['MINNESOTA', 3], ['MISSISSIPPI', 3], ['MISSOURI', 4],
  ['MONTANA', 1], ['NEBRASKA', 4], ['NEVADA', 1], ['NEW HAMPSHIRE', 1], ['NEW JERSEY', 1],
  ['NEW MEXICO', 1], ['NEW YORK', 2], ['NORTH CAROLINA', 3], ['NORTH DAKOTA', 2], ['OHIO', 3],
  ['OKLAHOMA', 5], ['OREGON', 1], ['PENNSYLVANIA', 3], ['RHODE ISLAND', 1], ['SOUTH CAROLINA', 2],
  ['SOUTH DAKOTA', 2], ['TENNESSEE', 3], ['TEXAS', 9], ['UTAH', 1], ['VERMONT', 1],
  ['VIRGINIA', 2], ['WASHINGTON', 1], ['WEST VIRGINIA', 1], ['WISCONSIN', 2], ['WYOMING', 1],
];

/** County names that recur across many states, plus a few with the allowed punctuation. */
export const COUNTIES: readonly string[] = [
  'ADAMS', 'ALLEN', 'BAKER', 'BENTON', 'BOONE', 'BROWN', 'BUTLER', 'CALHOUN', 'CAMPBELL',
  'CARROLL', 'CASS', 'CHEROKEE', 'CLARK', 'CLAY', 'CLINTON', 'COLUMBIA', 'CRAWFORD', 'CUMBERLAND',
  'DALLAS', 'DAVIS', 'DE KALB', 'DECATUR', 'DOUGLAS', 'FAYETTE', 'FLOYD', 'FRANKLIN', 'FULTON',
  'GRANT', 'GREENE', 'HAMILTON', 'HANCOCK', 'HARRISON', 'HENRY', 'HOWARD', 'JACKSON', 'JASPER',
  'JEFFERSON', 'JOHNSON', 'KNOX', 'LAKE', 'LAWRENCE', 'LEE', 'LINCOLN', 'LIVINGSTON', 'LOGAN',
  'MADISON', 'MARION', 'MARSHALL', 'MCLENNAN', 'MERCER', 'MONROE', 'MONTGOMERY', 'MORGAN',
  'OTTAWA', 'PERRY', 'PIKE', 'POLK', 'PULASKI', 'PUTNAM', 'RANDOLPH', 'RICHLAND', 'SCOTT',
  'SHELBY', 'STEPHENS', 'SUMNER', 'TAYLOR', 'UNION', 'WARREN', 'WASHINGTON', 'WAYNE', 'WEBSTER',
  'WILSON', 'WOOD', 'YELLOW MEDICINE', 'ST. LOUIS', 'ST. CLAIR', "PRINCE GEORGE'S", "O'BRIEN",
  'MIAMI-DADE', 'LA SALLE', 'LAKE/PORTER', 'HARRIS', 'TRAVIS', 'SEDGWICK', 'DOUGLAS & SARPY',
];

/** Forecast zones are often a county or area with a direction in front. */
export const ZONE_PREFIXES: readonly string[] = [
  '', '', '', 'NORTHERN ', 'SOUTHERN ', 'EASTERN ', 'WESTERN ', 'CENTRAL ', 'COASTAL ', 'INLAND ',
  'UPPER ', 'LOWER ', 'NORTHWEST ', 'SOUTHEAST ',
];

/** Zones that are not named after a county. */
export const NAMED_ZONES: readonly string[] = [
  'GORE AND ELK MOUNTAINS/CENTRAL MOUNTAIN VALLEYS', 'BRIDGER TETON NATIONAL FOREST (EAST)',
  'SAN GABRIEL MOUNTAINS', 'UPPER TREASURE VALLEY', 'WHITE MOUNTAINS', 'NORTHERN GREENLEE',
  'COASTAL MONTEREY COUNTY', 'LAKE CHARLES/CAMERON', 'KENAI PENINSULA', 'BLACK HILLS',
];

/** Before 1955 the database holds only tornadoes. */
export const EARLY_EVENTS: readonly EventKind[] = [{ type: 'Tornado', weight: 1, zoneShare: 0 }];

/** 1955–1995: tornado, thunderstorm wind and hail, all by county. */
export const MIDDLE_EVENTS: readonly EventKind[] = [
  { type: 'Thunderstorm Wind', weight: 55, zoneShare: 0 },
  { type: 'Hail', weight: 33, zoneShare: 0 },
  { type: 'Tornado', weight: 12, zoneShare: 0 },
];

/** From 1996: the NOAA list, weighted like the 1996 file. */
export const MODERN_EVENTS: readonly EventKind[] = [
  { type: 'Hail', weight: 10826, zoneShare: 0 },
  { type: 'Thunderstorm Wind', weight: 10084, zoneShare: 0.02 },
  { type: 'Heavy Snow', weight: 4301, zoneShare: 0.95 },
  { type: 'High Wind', weight: 3818, zoneShare: 0.9 },
  { type: 'Flash Flood', weight: 3325, zoneShare: 0.05 },
  { type: 'Winter Storm', weight: 3028, zoneShare: 0.95 },
  { type: 'Cold/Wind Chill', weight: 2578, zoneShare: 0.95 },
  { type: 'Flood', weight: 2218, zoneShare: 0.3 },
  { type: 'Blizzard', weight: 1431, zoneShare: 0.95 },
  { type: 'Tornado', weight: 1267, zoneShare: 0 },
  { type: 'Lightning', weight: 917, zoneShare: 0.05 },
  { type: 'Drought', weight: 772, zoneShare: 0.95 },
  { type: 'Ice Storm', weight: 722, zoneShare: 0.95 },
  { type: 'Winter Weather', weight: 641, zoneShare: 0.95 },
  { type: 'Heavy Rain', weight: 635, zoneShare: 0.1 },
  { type: 'Heat', weight: 348, zoneShare: 0.95 },
  { type: 'Funnel Cloud', weight: 290, zoneShare: 0 },
  { type: 'Dense Fog', weight: 272, zoneShare: 0.95 },
  { type: 'Coastal Flood', weight: 201, zoneShare: 0.95 },
  { type: 'Hurricane (Typhoon)', weight: 174, zoneShare: 0.95 },
  { type: 'Waterspout', weight: 150, zoneShare: 0.5 },
  { type: 'Strong Wind', weight: 120, zoneShare: 0.95 },
  { type: 'Tropical Storm', weight: 116, zoneShare: 0.95 },
  { type: 'High Surf', weight: 73, zoneShare: 0.95 },
  { type: 'Frost/Freeze', weight: 72, zoneShare: 0.95 },
  { type: 'Wildfire', weight: 62, zoneShare: 0.95 },
  { type: 'Rip Current', weight: 31, zoneShare: 0.95 },
  { type: 'Debris Flow', weight: 24, zoneShare: 0.1 },
  { type: 'Storm Surge/Tide', weight: 20, zoneShare: 0.95 },
  { type: 'Freezing Fog', weight: 20, zoneShare: 0.95 },
  { type: 'Dust Devil', weight: 11, zoneShare: 0.5 },
  { type: 'Avalanche', weight: 7, zoneShare: 0.95 },
  { type: 'Dust Storm', weight: 6, zoneShare: 0.95 },
];

/** Old-style damage estimates (1950–1995): the category midpoints NOAA recorded then. */
export const OLD_DAMAGES: readonly Weighted[] = [
  ['25K', 30], ['250K', 25], ['2.5K', 15], ['0K', 12], ['.25K', 3], ['2.5M', 3], ['.03K', 2], ['25M', 1],
];

/** Modern damage estimates, shown when the row has one (most rows leave the field blank). */
export const MODERN_DAMAGES: readonly Weighted[] = [
  ['5K', 15], ['10K', 13], ['2K', 8], ['20K', 6], ['1K', 6], ['15K', 5], ['50K', 5], ['3K', 5],
  ['.1M', 5], ['25K', 3], ['0', 3], ['30K', 3], ['0K', 2], ['.5K', 2], ['.2M', 2], ['2.5K', 2],
  ['.25K', 1], ['1.5M', 1], ['.5M', 2],
];

/** Fujita scale of a tornado before 1955, when only strong tornadoes tended to be recorded. */
export const EARLY_F_SCALES: readonly Weighted[] = [
  ['F0', 8], ['F1', 35], ['F2', 35], ['F3', 14], ['F4', 6], ['F5', 1], ['', 3],
];

/** Fujita scale of a tornado from 1955 on. */
export const LATER_F_SCALES: readonly Weighted[] = [
  ['F0', 45], ['F1', 33], ['F2', 14], ['F3', 5], ['F4', 2], ['F5', 1],
];
