-- Argo CD health check shared by StagingEnvironment, DataSeed and ParityCheck.
-- Argo CD treats a custom resource without a health check as Healthy
-- (argoproj/argo-cd#15723), so a failed environment would look green.
-- Follows kstatus: Stalled -> Degraded, Ready -> Healthy, anything else Progressing.
local hs = {}
local function condition(name)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == name then return c end
  end
  return nil
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Understudy operator"
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.message
  return hs
end
if obj.status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = "Scaled to zero"
  return hs
end
if obj.status.phase == "Failed" or obj.status.phase == "Degraded" then
  local ready = condition("Ready")
  hs.status = "Degraded"
  hs.message = ready ~= nil and ready.message or obj.status.phase
  return hs
end

local ready = condition("Ready")
if ready == nil or ready.status ~= "True" then
  hs.status = "Progressing"
  hs.message = ready ~= nil and ready.message or "Reconciling"
  return hs
end

-- A ParityCheck that ran and found unexpected drift is not healthy, though Ready.
local inParity = condition("InParity")
if inParity ~= nil and inParity.status == "False" then
  hs.status = "Degraded"
  hs.message = inParity.message
  return hs
end
hs.status = "Healthy"
hs.message = ready.message
return hs
