import { describe, expect, it } from "vitest";
import { detectInput, shorten } from "./detect";

const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const XPRV =
  "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

describe("detectInput", () => {
  it("recognises a zpub as native SegWit on Bitcoin", () => {
    expect(detectInput(ZPUB)).toMatchObject({ state: "ok", kind: "xpub", chain: "bitcoin", keyType: "zpub", scriptType: "p2wpkh" });
  });

  it("refuses private keys and seed phrases", () => {
    expect(detectInput(XPRV)).toMatchObject({ state: "error", secret: true });
    expect(detectInput(Array(12).fill("abandon").join(" "))).toMatchObject({ state: "error", secret: true });
    expect(detectInput("5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ")).toMatchObject({ state: "error", secret: true });
  });

  it("says a truncated key is truncated", () => {
    const result = detectInput(ZPUB.slice(0, 60));
    expect(result.state).toBe("error");
    if (result.state === "error") expect(result.message).toContain("missing");
  });

  it("recognises addresses and their script types", () => {
    expect(detectInput("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")).toMatchObject({ kind: "address", chain: "bitcoin", scriptType: "p2wpkh" });
    expect(detectInput("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297")).toMatchObject({ scriptType: "p2tr" });
    expect(detectInput("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")).toMatchObject({ chain: "bitcoin", scriptType: "p2pkh" });
    expect(detectInput("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")).toMatchObject({ chain: "bitcoin-testnet" });
  });

  it("asks for a chain for an 0x address", () => {
    expect(detectInput("0x52908400098527886E0F7030069857D2E4169EE7")).toMatchObject({ state: "ok", needsChain: true, chain: null });
  });

  it("reads a list of addresses", () => {
    const list = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu\n1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2";
    expect(detectInput(list)).toMatchObject({ state: "ok", kind: "addresses", count: 2, chain: "bitcoin" });
  });

  it("reports what it does not know", () => {
    expect(detectInput("hello world")).toMatchObject({ state: "error", secret: false });
    expect(detectInput("   ")).toEqual({ state: "empty" });
  });
});

describe("shorten", () => {
  it("keeps both ends", () => {
    expect(shorten(ZPUB)).toBe("zpub6rFR7y…2AGutZYs");
    expect(shorten("short")).toBe("short");
    expect(shorten(null)).toBe("—");
  });
});
