"""Visit plans (handbook 000, 表1-3 销售拜访计划表): a plan for tomorrow's visit filled from the
playbooks and cards, and a rehearsal scenario built from it."""
