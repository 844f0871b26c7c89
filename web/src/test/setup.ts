import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// findBy*/waitFor give up after this: a guard against hangs, not a speed check.
// The default (1 s) was hit on a busy 2-core CI machine while lazy pages loaded.
configure({ asyncUtilTimeout: 10_000 });
