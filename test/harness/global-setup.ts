// Placeholder replaced by the emulator harness below.
export default function setup(): void {}
