export function initPlan() { return { render() {} }; }
