// pgp_words.cc — the word list written out: kEven[b] is read for a byte at an
// even position, kOdd[b] at an odd one.
#include "ceremony/fingerprint/pgp_words.h"

#include <array>
#include <cctype>

namespace pki::ceremony {
namespace {

constexpr std::array<std::string_view, 256> kEven = {
    "aardvark", "absurd", "accrue", "acme", "adrift", "adult", "afflict", "ahead", "aimless",
    "Algol", "allow", "alone", "ammo", "ancient", "apple", "artist", "assume", "Athens",
    "atlas", "Aztec", "baboon", "backfield", "backward", "banjo", "beaming", "bedlamp",
    "beehive", "beeswax", "befriend", "Belfast", "berserk", "billiard", "bison", "blackjack",
    "blockade", "blowtorch", "bluebird", "bombast", "bookshelf", "brackish", "breadline",
    "breakup", "brickyard", "briefcase", "Burbank", "button", "buzzard", "cement", "chairlift",
    "chatter", "checkup", "chisel", "choking", "chopper", "Christmas", "clamshell", "classic",
    "classroom", "cleanup", "clockwork", "cobra", "commence", "concert", "cowbell", "crackdown",
    "cranky", "crowfoot", "crucial", "crumpled", "crusade", "cubic", "dashboard", "deadbolt",
    "deckhand", "dogsled", "dragnet", "drainage", "dreadful", "drifter", "dropper", "drumbeat",
    "drunken", "Dupont", "dwelling", "eating", "edict", "egghead", "eightball", "endorse",
    "endow", "enlist", "erase", "escape", "exceed", "eyeglass", "eyetooth", "facial", "fallout",
    "flagpole", "flatfoot", "flytrap", "fracture", "framework", "freedom", "frighten",
    "gazelle", "Geiger", "glitter", "glucose", "goggles", "goldfish", "gremlin", "guidance",
    "hamlet", "highchair", "hockey", "indoors", "indulge", "inverse", "involve", "island",
    "jawbone", "keyboard", "kickoff", "kiwi", "klaxon", "locale", "lockup", "merit", "minnow",
    "miser", "Mohawk", "mural", "music", "necklace", "Neptune", "newborn", "nightbird",
    "Oakland", "obtuse", "offload", "optic", "orca", "payday", "peachy", "pheasant", "physique",
    "playhouse", "Pluto", "preclude", "prefer", "preshrunk", "printer", "prowler", "pupil",
    "puppy", "python", "quadrant", "quiver", "quota", "ragtime", "ratchet", "rebirth", "reform",
    "regain", "reindeer", "rematch", "repay", "retouch", "revenge", "reward", "rhythm",
    "ribcage", "ringbolt", "robust", "rocker", "ruffled", "sailboat", "sawdust", "scallion",
    "scenic", "scorecard", "Scotland", "seabird", "select", "sentence", "shadow", "shamrock",
    "showgirl", "skullcap", "skydive", "slingshot", "slowdown", "snapline", "snapshot",
    "snowcap", "snowslide", "solo", "southward", "soybean", "spaniel", "spearhead", "spellbind",
    "spheroid", "spigot", "spindle", "spyglass", "stagehand", "stagnate", "stairway",
    "standard", "stapler", "steamship", "sterling", "stockman", "stopwatch", "stormy", "sugar",
    "surmount", "suspense", "sweatband", "swelter", "tactics", "talon", "tapeworm", "tempest",
    "tiger", "tissue", "tonic", "topmost", "tracker", "transit", "trauma", "treadmill",
    "Trojan", "trouble", "tumor", "tunnel", "tycoon", "uncut", "unearth", "unwind", "uproot",
    "upset", "upshot", "vapor", "village", "virus", "Vulcan", "waffle", "wallet", "watchword",
    "wayside", "willow", "woodlark", "Zulu",
};

constexpr std::array<std::string_view, 256> kOdd = {
    "adroitness", "adviser", "aftermath", "aggregate", "alkali", "almighty", "amulet",
    "amusement", "antenna", "applicant", "Apollo", "armistice", "article", "asteroid",
    "Atlantic", "atmosphere", "autopsy", "Babylon", "backwater", "barbecue", "belowground",
    "bifocals", "bodyguard", "bookseller", "borderline", "bottomless", "Bradbury", "bravado",
    "Brazilian", "breakaway", "Burlington", "businessman", "butterfat", "Camelot", "candidate",
    "cannonball", "Capricorn", "caravan", "caretaker", "celebrate", "cellulose", "certify",
    "chambermaid", "Cherokee", "Chicago", "clergyman", "coherence", "combustion", "commando",
    "company", "component", "concurrent", "confidence", "conformist", "congregate", "consensus",
    "consulting", "corporate", "corrosion", "councilman", "crossover", "crucifix", "cumbersome",
    "customer", "Dakota", "decadence", "December", "decimal", "designing", "detector",
    "detergent", "determine", "dictator", "dinosaur", "direction", "disable", "disbelief",
    "disruptive", "distortion", "document", "embezzle", "enchanting", "enrollment",
    "enterprise", "equation", "equipment", "escapade", "Eskimo", "everyday", "examine",
    "existence", "exodus", "fascinate", "filament", "finicky", "forever", "fortitude",
    "frequency", "gadgetry", "Galveston", "getaway", "glossary", "gossamer", "graduate",
    "gravity", "guitarist", "hamburger", "Hamilton", "handiwork", "hazardous", "headwaters",
    "hemisphere", "hesitate", "hideaway", "holiness", "hurricane", "hydraulic", "impartial",
    "impetus", "inception", "indigo", "inertia", "infancy", "inferno", "informant", "insincere",
    "insurgent", "integrate", "intention", "inventive", "Istanbul", "Jamaica", "Jupiter",
    "leprosy", "letterhead", "liberty", "maritime", "matchmaker", "maverick", "Medusa",
    "megaton", "microscope", "microwave", "midsummer", "millionaire", "miracle", "misnomer",
    "molasses", "molecule", "Montana", "monument", "mosquito", "narrative", "nebula",
    "newsletter", "Norwegian", "October", "Ohio", "onlooker", "opulent", "Orlando",
    "outfielder", "Pacific", "pandemic", "Pandora", "paperweight", "paragon", "paragraph",
    "paramount", "passenger", "pedigree", "Pegasus", "penetrate", "perceptive", "performance",
    "pharmacy", "phonetic", "photograph", "pioneer", "pocketful", "politeness", "positive",
    "potato", "processor", "provincial", "proximate", "puberty", "publisher", "pyramid",
    "quantity", "racketeer", "rebellion", "recipe", "recover", "repellent", "replica",
    "reproduce", "resistor", "responsive", "retraction", "retrieval", "retrospect", "revenue",
    "revival", "revolver", "sandalwood", "sardonic", "Saturday", "savagery", "scavenger",
    "sensation", "sociable", "souvenir", "specialist", "speculate", "stethoscope", "stupendous",
    "supportive", "surrender", "suspicious", "sympathy", "tambourine", "telephone", "therapist",
    "tobacco", "tolerance", "tomorrow", "torpedo", "tradition", "travesty", "trombonist",
    "truncated", "typewriter", "ultimate", "undaunted", "underfoot", "unicorn", "unify",
    "universe", "unravel", "upcoming", "vacancy", "vagabond", "vertigo", "Virginia", "visitor",
    "vocalist", "voyager", "warranty", "Waterloo", "whimsical", "Wichita", "Wilmington",
    "Wyoming", "yesteryear", "Yucatan",
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Find returns the index of |word| in |list| or -1.
int Find(const std::array<std::string_view, 256>& list, std::string_view word) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (EqualsIgnoreCase(list[i], word)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::string_view PgpEvenWord(uint8_t byte) { return kEven[byte]; }
std::string_view PgpOddWord(uint8_t byte) { return kOdd[byte]; }

std::string PgpWords(ByteSpan data) {
  std::string out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (i != 0) out += ' ';
    out += (i % 2 == 0) ? kEven[data[i]] : kOdd[data[i]];
  }
  return out;
}

StatusOr<std::string> PgpWordsToBytes(std::string_view words) {
  std::string out;
  size_t pos = 0;
  while (pos < words.size()) {
    while (pos < words.size() && words[pos] == ' ') ++pos;
    if (pos >= words.size()) break;
    size_t end = words.find(' ', pos);
    if (end == std::string_view::npos) end = words.size();
    const std::string_view word = words.substr(pos, end - pos);
    const bool even = out.size() % 2 == 0;
    const int index = Find(even ? kEven : kOdd, word);
    if (index < 0) {
      const bool other = Find(even ? kOdd : kEven, word) >= 0;
      Status error = InvalidArgumentError("PGP word ");
      error.AppendNumber(out.size() + 1).Append(" '").Append(word).Append(
          other ? "' is from the wrong list (a word was dropped or repeated)"
                : "' is not in the PGP word list");
      return error;
    }
    out.push_back(static_cast<char>(index));
    pos = end;
  }
  return out;
}

}  // namespace pki::ceremony
