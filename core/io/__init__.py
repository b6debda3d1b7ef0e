"""Export of a business to .xlsx/.csv and import of opening data from them (数据迁移)."""
