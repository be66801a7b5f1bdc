import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api";
import { explainAuthError } from "./auth-form";

describe("explainAuthError", () => {
  it("says what went wrong for each answer of the gateway", () => {
    expect(explainAuthError(new ApiError(401, "invalid credentials"), "sign-in").message).toBe("The email or password is not right.");
    expect(explainAuthError(new ApiError(409, "taken"), "sign-up")).toEqual({ message: "An account with this email already exists.", hint: "sign-in" });
    expect(explainAuthError(new ApiError(422, "password must be at least 10 characters long"), "sign-up").message).toBe(
      "Password must be at least 10 characters long",
    );
    expect(explainAuthError(new ApiError(429, "slow down", 300), "sign-in").message).toBe("Too many attempts. Wait 5 minutes and try again.");
    expect(explainAuthError(new TypeError("fetch failed"), "sign-in").message).toContain("Could not reach");
  });
});
