// Recognises what a person pasted while they type: which chain, which key or address type,
// which script type. It only guides; the gateway validates checksums and has the last word.

export type ChainId =
  | "bitcoin"
  | "bitcoin-testnet"
  | "litecoin"
  | "dogecoin"
  | "bitcoin-cash"
  | "ethereum"
  | "polygon"
  | "bsc"
  | "arbitrum"
  | "optimism"
  | "base"
  | "sepolia";

export const CHAIN_LABELS: Record<string, string> = {
  bitcoin: "Bitcoin",
  "bitcoin-testnet": "Bitcoin testnet",
  litecoin: "Litecoin",
  dogecoin: "Dogecoin",
  "bitcoin-cash": "Bitcoin Cash",
  ethereum: "Ethereum",
  sepolia: "Sepolia",
  polygon: "Polygon",
  bsc: "BNB Smart Chain",
  arbitrum: "Arbitrum One",
  optimism: "OP Mainnet",
  base: "Base",
};

export const EVM_CHAINS: ChainId[] = ["ethereum", "polygon", "bsc", "arbitrum", "optimism", "base", "sepolia"];

export const SCRIPT_TYPES = [
  { value: "p2pkh", label: "Legacy (P2PKH, BIP44)" },
  { value: "p2sh-p2wpkh", label: "Nested SegWit (P2SH-P2WPKH, BIP49)" },
  { value: "p2wpkh", label: "Native SegWit (P2WPKH, BIP84)" },
  { value: "p2tr", label: "Taproot (P2TR, BIP86)" },
] as const;

export const SCRIPT_LABELS: Record<string, string> = {
  p2pkh: "legacy",
  "p2sh-p2wpkh": "nested SegWit",
  p2wpkh: "native SegWit",
  p2tr: "Taproot",
  p2sh: "P2SH",
  p2wsh: "P2WSH",
  multisig: "multisig",
  account: "account",
};

export type Detection =
  | { state: "empty" }
  | { state: "error"; message: string; secret: boolean }
  | {
      state: "ok";
      kind: "xpub" | "address" | "addresses" | "descriptor";
      chain: ChainId | null;
      keyType: string;
      scriptType: string | null;
      count: number;
      needsChain: boolean;
      note?: string;
    };

interface KeyPrefix {
  chain: ChainId;
  script: string;
}

const PUBLIC_PREFIXES: Record<string, KeyPrefix> = {
  xpub: { chain: "bitcoin", script: "p2pkh" },
  ypub: { chain: "bitcoin", script: "p2sh-p2wpkh" },
  zpub: { chain: "bitcoin", script: "p2wpkh" },
  Ypub: { chain: "bitcoin", script: "multisig" },
  Zpub: { chain: "bitcoin", script: "multisig" },
  tpub: { chain: "bitcoin-testnet", script: "p2pkh" },
  upub: { chain: "bitcoin-testnet", script: "p2sh-p2wpkh" },
  vpub: { chain: "bitcoin-testnet", script: "p2wpkh" },
  Upub: { chain: "bitcoin-testnet", script: "multisig" },
  Vpub: { chain: "bitcoin-testnet", script: "multisig" },
  Ltub: { chain: "litecoin", script: "p2pkh" },
  Mtub: { chain: "litecoin", script: "p2sh-p2wpkh" },
  dgub: { chain: "dogecoin", script: "p2pkh" },
};

const PRIVATE_PREFIXES = [
  "xprv", "yprv", "zprv", "Yprv", "Zprv", "tprv", "uprv", "vprv", "Uprv", "Vprv", "Ltpv", "Mtpv", "dgpv",
];

const BASE58 = "[1-9A-HJ-NP-Za-km-z]";
const BECH32 = "[qpzry9x8gf2tvdw0s3jn54khce6mua7l]";
const EXTENDED_KEY = new RegExp(`^(${Object.keys(PUBLIC_PREFIXES).join("|")})${BASE58}{107}$`);
const PRIVATE_KEY = new RegExp(`(?:^|[^1-9A-HJ-NP-Za-km-z])(${PRIVATE_PREFIXES.join("|")})${BASE58}{100,}`);
const WIF = new RegExp(`^[5KLc9]${BASE58}{50,51}$`);
const HEX_SECRET = /^(0x)?[0-9a-fA-F]{64}$/;
const SEPARATORS = /[\s,;]+/;

const SECRET_ADVICE =
  "walletscan never needs it: export the extended public key (xpub, ypub or zpub) from your wallet instead.";

interface AddressKind {
  chain: ChainId | null;
  script: string;
}

function bech32(hrp: string): RegExp {
  return new RegExp(`^${hrp}1${BECH32}{6,87}$`);
}

/** The chain and script type of one address, or null when it is not one we know. */
export function classifyAddress(raw: string): AddressKind | null {
  const token = raw.trim();
  const lower = token.toLowerCase();
  // Bech32 is case-insensitive but never mixed case.
  const bech = token === lower || token === token.toUpperCase() ? lower : null;
  if (/^0x[0-9a-fA-F]{40}$/.test(token)) return { chain: null, script: "account" };
  if (bech) {
    if (bech32("bc").test(bech)) return { chain: "bitcoin", script: bitcoinBech32Script(bech, 3) };
    if (bech32("tb").test(bech)) return { chain: "bitcoin-testnet", script: bitcoinBech32Script(bech, 3) };
    if (bech32("ltc").test(bech)) return { chain: "litecoin", script: bitcoinBech32Script(bech, 4) };
    if (/^(bitcoincash:)?[qp][qpzry9x8gf2tvdw0s3jn54khce6mua7l]{41}$/.test(bech)) {
      return { chain: "bitcoin-cash", script: bech.replace("bitcoincash:", "").startsWith("p") ? "p2sh" : "p2pkh" };
    }
  }
  if (new RegExp(`^1${BASE58}{25,33}$`).test(token)) return { chain: "bitcoin", script: "p2pkh" };
  if (new RegExp(`^3${BASE58}{25,33}$`).test(token)) return { chain: "bitcoin", script: "p2sh" };
  if (new RegExp(`^[mn]${BASE58}{25,33}$`).test(token)) return { chain: "bitcoin-testnet", script: "p2pkh" };
  if (new RegExp(`^2${BASE58}{25,34}$`).test(token)) return { chain: "bitcoin-testnet", script: "p2sh" };
  if (new RegExp(`^L${BASE58}{26,33}$`).test(token)) return { chain: "litecoin", script: "p2pkh" };
  if (new RegExp(`^M${BASE58}{26,33}$`).test(token)) return { chain: "litecoin", script: "p2sh" };
  if (new RegExp(`^D${BASE58}{25,33}$`).test(token)) return { chain: "dogecoin", script: "p2pkh" };
  return null;
}

function bitcoinBech32Script(address: string, hrpLength: number): string {
  const version = address[hrpLength];
  if (version === "p") return "p2tr";
  // Witness v0: 20-byte program (P2WPKH) or 32-byte program (P2WSH).
  return address.length > hrpLength + 50 ? "p2wsh" : "p2wpkh";
}

function looksLikeSeedPhrase(tokens: string[]): boolean {
  return tokens.length >= 11 && tokens.length <= 25 && tokens.every((t) => /^[a-z]{3,8}$/.test(t));
}

function descriptorScript(text: string): string | null {
  const head = text.trim().toLowerCase();
  if (head.startsWith("sh(wpkh(")) return "p2sh-p2wpkh";
  if (head.startsWith("wpkh(")) return "p2wpkh";
  if (head.startsWith("pkh(")) return "p2pkh";
  if (head.startsWith("tr(")) return "p2tr";
  if (head.startsWith("wsh(") || head.startsWith("sh(wsh(")) return "multisig";
  return null;
}

export function detectInput(text: string): Detection {
  const trimmed = text.trim();
  if (!trimmed) return { state: "empty" };

  const privateKey = PRIVATE_KEY.exec(trimmed);
  if (privateKey) {
    return {
      state: "error",
      secret: true,
      message: `This is a private key (${privateKey[1]}). ${SECRET_ADVICE}`,
    };
  }

  if (trimmed.includes("(")) {
    const script = descriptorScript(trimmed);
    const key = Object.keys(PUBLIC_PREFIXES).find((p) => new RegExp(`${p}${BASE58}{100,}`).test(trimmed));
    if (!script || !key) {
      return {
        state: "error",
        secret: false,
        message: "This looks like an output descriptor but it is incomplete: expected e.g. wpkh([fingerprint/84'/0'/0']xpub…/<0;1>/*).",
      };
    }
    return {
      state: "ok",
      kind: "descriptor",
      chain: PUBLIC_PREFIXES[key]?.chain ?? "bitcoin",
      keyType: "descriptor",
      scriptType: script,
      count: 1,
      needsChain: false,
    };
  }

  const tokens = trimmed.split(SEPARATORS).filter(Boolean);
  if (looksLikeSeedPhrase(tokens)) {
    return {
      state: "error",
      secret: true,
      message: `This looks like a seed phrase. Never paste it anywhere: it controls your funds. ${SECRET_ADVICE}`,
    };
  }

  if (tokens.length === 1) {
    const token = tokens[0] ?? "";
    if (WIF.test(token)) {
      return { state: "error", secret: true, message: `This looks like a private key (WIF). ${SECRET_ADVICE}` };
    }
    if (HEX_SECRET.test(token)) {
      return {
        state: "error",
        secret: true,
        message: "This is a 64-digit hex string: a raw private key or a transaction id, not an address or an extended public key.",
      };
    }
    const prefix = token.slice(0, 4);
    const known = PUBLIC_PREFIXES[prefix];
    if (known) {
      if (!EXTENDED_KEY.test(token)) {
        return {
          state: "error",
          secret: false,
          message: `This starts like an ${prefix} but is ${token.length} characters long (an extended key has 111): part of it may be missing.`,
        };
      }
      return {
        state: "ok",
        kind: "xpub",
        chain: known.chain,
        keyType: prefix,
        scriptType: known.script,
        count: 1,
        needsChain: false,
        note:
          known.script === "multisig"
            ? "Multisig keys need a descriptor with every cosigner's key."
            : prefix === "xpub" || prefix === "tpub"
              ? "An xpub does not say which addresses it makes: legacy, nested and native SegWit are all checked unless you choose script types in the advanced options."
              : undefined,
      };
    }
  }

  const kinds = tokens.map(classifyAddress);
  const unknown = tokens.findIndex((_, i) => kinds[i] === null);
  if (unknown >= 0) {
    const what = tokens[unknown] ?? "";
    const shown = what.length > 24 ? `${what.slice(0, 12)}…${what.slice(-6)}` : what;
    return {
      state: "error",
      secret: false,
      message:
        tokens.length === 1
          ? "Not recognised: paste an extended public key (xpub, ypub, zpub…), an address, or addresses one per line."
          : `“${shown}” (line ${unknown + 1}) is not an address walletscan knows.`,
    };
  }
  const resolved = kinds as AddressKind[];
  const chains = new Set(resolved.map((k) => k.chain));
  if (chains.size > 1) {
    return { state: "error", secret: false, message: "These addresses belong to different chains: scan one chain at a time." };
  }
  const chain = resolved[0]?.chain ?? null;
  const scripts = new Set(resolved.map((k) => k.script));
  return {
    state: "ok",
    kind: tokens.length === 1 ? "address" : "addresses",
    chain,
    keyType: tokens.length === 1 ? "address" : `${tokens.length} addresses`,
    scriptType: scripts.size === 1 ? (resolved[0]?.script ?? null) : null,
    count: tokens.length,
    needsChain: chain === null,
  };
}

/** "zpub6rFR…AGutZYs": enough to recognise, short enough for a table cell. */
export function shorten(text: string | null | undefined, head = 10, tail = 8): string {
  if (!text) return "—";
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= head + tail + 1) return clean;
  return `${clean.slice(0, head)}…${clean.slice(-tail)}`;
}
