export {};
//# sourceMappingURL=inventory.types.js.map