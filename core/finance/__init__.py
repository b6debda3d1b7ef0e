"""Money owed (应收 / 应付): open items, payments, allocations, statements, aging."""
