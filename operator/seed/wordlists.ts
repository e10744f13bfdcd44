// Word lists for fake personal values. Kept in the source rather than taken
// from a faker library so outputs never change with a dependency's version.

import { EN_FIRST_NAMES, EN_LAST_NAMES } from './names-en';

const words = (s: string): readonly string[] => Object.freeze(s.trim().split(/\s+/));
const union = (...lists: ReadonlyArray<readonly string[]>): readonly string[] =>
  Object.freeze([...new Set(lists.flat())]);

// A production table holds hundreds or thousands of distinct names: these
// few, chosen for variety, come first, then faker's English list (names-en.ts).
const OWN_FIRST_NAMES = words(`
Aaliyah Aaron Abigail Adam Adrian Aiden Alex Alice Amara Amelia Ana Andrea Andrew Anna Aria Arjun Ava Benjamin
Bianca Blake Brooke Caleb Camila Carlos Carmen Charlotte Chen Chloe Chris Clara Daniel David Diana Diego Dylan
Eleanor Elena Eli Elijah Ella Emil Emily Emma Eric Ethan Eva Ezra Fatima Felix Fiona Gabriel Grace Hana Hannah
Harper Hassan Henry Hugo Ian Ines Isaac Isabella Ivan Jack Jacob James Jasmine Javier Jonas Jose Julia Julian
Kai Karen Kenji Laila Lara Leah Leo Liam Lily Lina Logan Lucas Lucy Luis Luka Maya Mason Mateo Mia Michael Mila
Nadia Naomi Nathan Nina Noah Nora Oliver Olivia Omar Oscar Paula Priya Quinn Rafael Riley Rosa Ryan Sara
Sebastian Sofia Sophie Tariq Theo Thomas Valentina Victor Wei William Yara Yusuf Zara Zoe
`);

const OWN_LAST_NAMES = words(`
Abbott Acosta Adams Ahmed Alvarez Andersen Bailey Baker Banks Barnes Becker Bell Bennett Berg Brooks Brown
Bryant Campbell Carter Castillo Chen Chavez Clark Cole Collins Cook Cooper Cruz Davis Diaz Dubois Edwards Evans
Fischer Fleming Flores Foster Garcia Gomez Gonzalez Gray Green Hall Hansen Harris Hayes Hernandez Hill Hoffmann
Howard Hughes Ivanov Jackson James Jensen Johnson Jones Kaur Kelly Kim King Klein Kowalski Lambert Lee Lewis
Lopez Martin Martinez Meyer Miller Moore Morales Morgan Murphy Nakamura Nelson Nguyen Novak Olsen Ortiz Parker
Patel Perez Peterson Phillips Price Ramirez Reed Reyes Richter Rivera Roberts Rodriguez Rossi Russell Sanchez
Santos Schmidt Scott Silva Singh Smith Sullivan Tanaka Taylor Thomas Torres Turner Walker Wang Ward Watson
Weber White Williams Wilson Wong Wright Yamamoto Young Zhang
`);

export const CITIES = words(`
Aberdale Ashford Bayview Brookfield Cedarville Clearwater Crestwood Dunmore Easton Elmhurst Fairhaven Glenwood
Greenfield Harborview Hillcrest Kingsport Lakeside Maplewood Meadowbrook Millbrook Northfield Oakridge Pinecrest
Redwood Riverside Rockport Springdale Stonebridge Summerville Sunnyvale Thornbury Westbrook Willowdale Woodland
`);

export const STREETS = words(`
Acacia Alder Aspen Beech Birch Briar Cedar Chestnut Church Cypress Elm Forest Garden Hawthorn Hazel Highland
Hill Holly Juniper Lake Laurel Linden Magnolia Maple Meadow Mill Oak Orchard Park Pine Poplar River Rose Spruce
Station Sycamore Valley Walnut Willow
`);

export const STREET_SUFFIXES = words('Street Avenue Road Lane Drive Court Way Place Terrace Boulevard');

export const COMPANY_WORDS = words(`
Acme Apex Atlas Beacon Blue Bright Cedar Cobalt Crest Delta Ember Evergreen Falcon Frontier Granite Harbor
Horizon Iron Juniper Keystone Lumen Maple Meridian Nimbus North Nova Oak Orbit Pioneer Quartz Redwood Sierra
Silver Summit Tidal Vertex Willow Zenith
`);
export const COMPANY_SUFFIXES = words('Labs Systems Group Partners Works Industries Holdings Logistics Studio Trading');

export const COUNTRIES = words(`
Argentina Australia Austria Belgium Brazil Canada Chile Denmark Egypt Estonia Finland France Germany Greece
India Ireland Italy Japan Kenya Mexico Morocco Netherlands Norway Peru Poland Portugal Singapore Spain Sweden
Switzerland Thailand Turkey Ukraine Uruguay Vietnam
`);

/** Reserved for documentation (RFC 2606 and RFC 6761), so fake addresses never reach anyone. */
export const EMAIL_DOMAINS = words('example.com example.org example.net mail.example shop.example test.example');

export const LOREM = words(`
lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna
aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute
irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non
proident sunt culpa qui officia deserunt mollit anim id est laborum
`);

export const FIRST_NAMES = union(OWN_FIRST_NAMES, EN_FIRST_NAMES);
export const LAST_NAMES = union(OWN_LAST_NAMES, EN_LAST_NAMES);
